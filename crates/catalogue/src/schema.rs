//! OpenAPI schemas of the values that serialize by hand (dates, ids, amounts, slugs); the
//! records derive theirs (`utoipa::ToSchema`) from the same serde attributes that shape their
//! JSON, so the API's documentation cannot drift from what it sends.

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{RefOr, schema};
use utoipa::{PartialSchema, ToSchema};

use crate::{Amount, Id, PartialDate, Slug};

impl PartialSchema for PartialDate {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .pattern(Some(r"^[0-9]{3}([0-9]|X)(-[0-9]{2}(-[0-9]{2})?)?~?$"))
                    .description(Some(
                        "YYYY, YYYY-MM or YYYY-MM-DD; a decade as 193X; ~ at the end when \
                         approximate (EDTF)",
                    )),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Integer))
                    .description(Some("a year")),
            )
            .description(Some(
                "A date known to a decade, a year, a month or a day, perhaps approximately: \
                 `193X`, `1938`, `1940-05`, `1932-06-15`, `1935~`. Always sent as a string.",
            ))
            .examples(["1938"])
            .into()
    }
}
impl ToSchema for PartialDate {}

impl<T> PartialSchema for Id<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Integer))
            .format(Some(schema::SchemaFormat::KnownFormat(
                schema::KnownFormat::Int64,
            )))
            .description(Some("Assigned by Vitrina; omit it for a new record."))
            .into()
    }
}
impl<T> ToSchema for Id<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }
}

impl PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .description(Some("a decimal (`3.2`) or a fraction (`1/8`, `1 1/2`)")),
            )
            .item(ObjectBuilder::new().schema_type(SchemaType::Type(Type::Number)))
            .description(Some(
                "A positive number kept exactly as written; always sent as a string.",
            ))
            .examples(["1/8"])
            .into()
    }
}
impl ToSchema for Amount {}

impl PartialSchema for Slug {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .pattern(Some(r"^[a-z0-9]+(-[a-z0-9]+)*$"))
            .min_length(Some(1))
            .max_length(Some(Slug::MAX_LEN))
            .description(Some("The record's stable URL key."))
            .examples(["mopr-badge"])
            .into()
    }
}
impl ToSchema for Slug {}
