package dev.ferry.archive;

import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;

import java.util.concurrent.CompletableFuture;

/**
 * A download's transformer (the SDK's toFile) that counts the bytes it receives. It does not offer the file
 * transformer's parallel split, so the multipart client fetches the parts one after another through a bounded
 * buffer into this one stream: a restore is bounded by the disk and the network, not by parallel requests.
 */
final class CountingResponseTransformer<R, T> implements AsyncResponseTransformer<R, T> {
    private final AsyncResponseTransformer<R, T> next;
    private final TransferCounter.Part part;

    CountingResponseTransformer(AsyncResponseTransformer<R, T> next, TransferCounter counter) {
        this.next = next;
        this.part = counter.part();
    }

    @Override
    public CompletableFuture<T> prepare() {
        return next.prepare();
    }

    @Override
    public void onResponse(R response) {
        next.onResponse(response);
    }

    @Override
    public void onStream(SdkPublisher<java.nio.ByteBuffer> publisher) {
        next.onStream(s -> publisher.subscribe(new CountingSubscriber(s, part)));
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        next.exceptionOccurred(error);
    }
}
