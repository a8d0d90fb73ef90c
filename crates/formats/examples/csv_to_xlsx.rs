//! Writes a CSV file's rows into an XLSX workbook, cell for cell: the benchmark's "same rows as
//! XLSX" (`bench/import.sh`).
//!
//! `cargo run --release -p vitrina-formats --example csv_to_xlsx -- IN.csv OUT.xlsx`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        eprintln!("usage: csv_to_xlsx IN.csv OUT.xlsx");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&input)?;
    let read = vitrina_formats::read_csv(&bytes, &Default::default())?;
    let xlsx = vitrina_formats::write_xlsx(&read.table, "Catalogue")?;
    std::fs::write(&output, xlsx)?;
    eprintln!("{} rows written to {output}", read.table.rows.len());
    Ok(())
}
