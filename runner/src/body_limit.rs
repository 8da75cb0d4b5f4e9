//! The request body limit for bodies that arrive without `Content-Length`.
//!
//! Past the limit the component reads an error and the client gets a 413. A client that
//! streams is usually still sending then; closing the connection with its bytes unread
//! resets it, and the client may fail on its write before it reads the 413. So the rest of
//! an oversize body is read and thrown away in the background, up to a bound in bytes and
//! time (as web servers linger on close), while the answer goes out.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

/// How much of an oversize body is read and discarded after the limit, at most.
const DRAIN_BYTES: u64 = 256 << 20;
/// How long the discarding may take, at most.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// A request body that fails with [`wasmtime_wasi_http::Error::HttpRequestBodySize`] once
/// more than `limit` bytes arrived, and then sets `overflowed`.
pub struct CappedBody<B: Drainable> {
    inner: Option<B>,
    limit: u64,
    seen: u64,
    overflowed: Arc<AtomicBool>,
}

/// A body the drain can take to a task of its own.
pub trait Drainable: Body<Data = Bytes> + Unpin + Send + 'static {}
impl<B: Body<Data = Bytes> + Unpin + Send + 'static> Drainable for B {}

impl<B: Drainable> CappedBody<B> {
    /// Wraps `inner`; `overflowed` tells the caller afterwards whether the limit was hit.
    pub fn new(inner: B, limit: u64, overflowed: Arc<AtomicBool>) -> Self {
        Self {
            inner: Some(inner),
            limit,
            seen: 0,
            overflowed,
        }
    }
}

impl<B> Body for CappedBody<B>
where
    B: Drainable,
    B::Error: std::fmt::Display,
{
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.overflowed.load(Ordering::Relaxed) {
            return Poll::Ready(Some(Err(wasmtime_wasi_http::Error::HttpRequestBodySize(
                None,
            ))));
        }
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen = this.seen.saturating_add(data.len() as u64);
                    if this.seen > this.limit {
                        this.overflowed.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(
                            wasmtime_wasi_http::Error::HttpRequestBodySize(None),
                        )));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(
                wasmtime_wasi_http::Error::InternalError(Some(e.to_string())),
            ))),
            Poll::Ready(None) => {
                this.inner = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.as_ref().map(Body::size_hint).unwrap_or_default()
    }
}

impl<B: Drainable> Drop for CappedBody<B> {
    fn drop(&mut self) {
        // Only an oversize body is drained: any other unread body ends with its connection,
        // as hyper does.
        if !self.overflowed.load(Ordering::Relaxed) {
            return;
        }
        let Some(inner) = self.inner.take() else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(discard(inner));
        }
    }
}

/// Reads `body` to its end or to the bounds, throwing the bytes away.
async fn discard<B: Drainable>(mut body: B) {
    let mut read = 0u64;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while read <= DRAIN_BYTES {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        read = read.saturating_add(data.len() as u64);
                    }
                }
                _ => break,
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A body of `chunks` frames of `size` bytes that counts the frames taken from it.
    fn counted(
        chunks: usize,
        size: usize,
        taken: Arc<AtomicUsize>,
    ) -> impl Drainable<Error = std::convert::Infallible> {
        let frames = futures::stream::iter((0..chunks).map(move |_| {
            taken.fetch_add(1, Ordering::SeqCst);
            Ok(Frame::data(Bytes::from(vec![b'x'; size])))
        }));
        http_body_util::StreamBody::new(frames)
    }

    #[tokio::test]
    async fn a_body_within_the_limit_passes_whole() {
        let overflowed = Arc::new(AtomicBool::new(false));
        let taken = Arc::new(AtomicUsize::new(0));
        let body = CappedBody::new(counted(4, 10, taken), 40, overflowed.clone());
        let bytes = body.collect().await.expect("within the limit").to_bytes();
        assert_eq!(bytes.len(), 40);
        assert!(!overflowed.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn past_the_limit_the_reader_fails_and_the_rest_is_drained() {
        let overflowed = Arc::new(AtomicBool::new(false));
        let taken = Arc::new(AtomicUsize::new(0));
        let mut body = CappedBody::new(counted(100, 10, taken.clone()), 25, overflowed.clone());
        let mut read = 0;
        let error = loop {
            match body.frame().await {
                Some(Ok(frame)) => read += frame.into_data().map(|d| d.len()).unwrap_or(0),
                Some(Err(e)) => break e,
                None => panic!("the body ended without the limit error"),
            }
        };
        assert!(
            matches!(error, wasmtime_wasi_http::Error::HttpRequestBodySize(None)),
            "{error:?}"
        );
        assert_eq!(read, 20, "what the limit allowed");
        assert!(overflowed.load(Ordering::SeqCst));
        // Read again: the same error, not the rest of the body.
        assert!(matches!(body.frame().await, Some(Err(_))));
        assert_eq!(taken.load(Ordering::SeqCst), 3);

        drop(body);
        for _ in 0..100 {
            if taken.load(Ordering::SeqCst) == 100 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(
            taken.load(Ordering::SeqCst),
            100,
            "the rest read and discarded"
        );
    }
}
