//! The server under abuse: clients that stall half-way through a request, more clients than the
//! connection bound, and shutdown while they do it. A real server on port 0, with short limits.

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use vitrina_web::{App, ServerLimits, WebSettings};

/// A bound on how long any step may take, only so that a broken server fails instead of
/// hanging the test.
const HANG_GUARD: Duration = Duration::from_secs(30);

struct Server {
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn start(limits: ServerLimits) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = common::demo_catalogue(&dir).await;
    let app = App::new(catalogue, WebSettings::new(dir.path().join("media"))).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let done = tokio::spawn(vitrina_web::serve_with(
        listener,
        app,
        async {
            let _ = rx.await;
        },
        limits,
    ));
    Server {
        addr,
        stop: Some(tx),
        done,
        _dir: dir,
    }
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    tokio::time::timeout(HANG_GUARD, stream.read_to_end(&mut got))
        .await
        .expect("the server never closed the connection")
        .ok();
    got
}

async fn get_ok(addr: std::net::SocketAddr, path: &str) {
    let res = tokio::time::timeout(
        HANG_GUARD,
        common::plain_client()
            .get(format!("http://{addr}{path}"))
            .send(),
    )
    .await
    .expect("the server did not answer")
    .unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
}

#[tokio::test]
async fn a_client_that_stalls_inside_the_request_line_is_disconnected() {
    let server = start(ServerLimits {
        header_timeout: Duration::from_millis(300),
        ..ServerLimits::default()
    })
    .await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /types/mop").await.unwrap();
    let got = read_to_close(&mut slow).await;
    assert!(
        !String::from_utf8_lossy(&got).contains("200 OK"),
        "a half-sent request was answered"
    );
    // a slowloris that trickles its headers is cut off just the same
    let mut trickle = TcpStream::connect(server.addr).await.unwrap();
    trickle.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let closed = tokio::time::timeout(HANG_GUARD, async {
        let mut buf = [0u8; 64];
        loop {
            if trickle.write_all(b"X-A: b\r\n").await.is_err() {
                return;
            }
            let read = tokio::time::timeout(Duration::from_millis(100), trickle.read(&mut buf));
            if let Ok(Ok(0) | Err(_)) = read.await {
                return;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "a trickling client was never disconnected");
    // and the server still serves
    get_ok(server.addr, "/").await;
}

#[tokio::test]
async fn a_half_sent_request_does_not_keep_shutdown_from_finishing() {
    let mut server = start(ServerLimits {
        // far longer than the test: only the shutdown can end the stalled connection
        header_timeout: Duration::from_secs(600),
        idle_timeout: Duration::from_secs(600),
        shutdown_grace: Duration::from_secs(2),
        ..ServerLimits::default()
    })
    .await;
    // a complete request on a keep-alive connection, answered before shutdown
    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(HANG_GUARD, kept.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // a request in flight when shutdown starts: its body is still coming
    let mut in_flight = TcpStream::connect(server.addr).await.unwrap();
    in_flight
        .write_all(b"POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nname")
        .await
        .unwrap();
    // and a client that stalls inside its request line
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled.write_all(b"GET /types/mo").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // the request in flight may finish
    let _ = in_flight.write_all(b"=abc").await;
    let answer = read_to_close(&mut in_flight).await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 "),
        "the request in flight was not answered"
    );
    // shutdown completes, bounded by the grace period (the guard only stops a hang)
    tokio::time::timeout(HANG_GUARD, &mut server.done)
        .await
        .expect("shutdown never finished")
        .unwrap()
        .unwrap();
    read_to_close(&mut stalled).await;
    read_to_close(&mut kept).await;
    // nothing listens any more
    assert!(TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn more_clients_than_the_bound_wait_and_the_server_goes_on_serving() {
    let server = start(ServerLimits {
        max_connections: 4,
        header_timeout: Duration::from_secs(1),
        ..ServerLimits::default()
    })
    .await;
    // four clients hold every slot with half-sent requests; the rest queue in the backlog
    let mut holders = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET / HT").await.unwrap();
        holders.push(s);
    }
    let mut waiting = Vec::new();
    for _ in 0..32 {
        waiting.push(tokio::spawn(get_ok(server.addr, "/healthz")));
    }
    // the holders are cut off by the header timeout, and then every waiting client is served
    for w in waiting {
        tokio::time::timeout(HANG_GUARD, w).await.unwrap().unwrap();
    }
    for mut h in holders {
        read_to_close(&mut h).await;
    }
    get_ok(server.addr, "/").await;
}
