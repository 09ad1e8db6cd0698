package dev.ferry.archive;

import org.reactivestreams.Subscriber;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncRequestBodySplitConfiguration;
import software.amazon.awssdk.core.async.CloseableAsyncRequestBody;
import software.amazon.awssdk.core.async.SdkPublisher;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * An upload's body that counts the bytes the SDK takes from it. The SDK's multipart client splits the body into
 * parts ({@link #splitCloseable}): the split is the file body's own (each part reads its range of the file, so
 * memory stays bounded and a failed part can be read again), and each part is wrapped to count for itself.
 */
final class CountingRequestBody implements CloseableAsyncRequestBody {
    private final AsyncRequestBody body;
    private final TransferCounter counter;
    private final TransferCounter.Part part;

    CountingRequestBody(AsyncRequestBody body, TransferCounter counter) {
        this.body = body;
        this.counter = counter;
        this.part = counter.part();
    }

    @Override
    public Optional<Long> contentLength() {
        return body.contentLength();
    }

    @Override
    public String contentType() {
        return body.contentType();
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
        body.subscribe(new CountingSubscriber(s, part));
    }

    @Override
    public SdkPublisher<CloseableAsyncRequestBody> splitCloseable(AsyncRequestBodySplitConfiguration config) {
        return body.splitCloseable(config).map(p -> new CountingRequestBody(p, counter));
    }

    @Override
    public void close() {
        if (body instanceof CloseableAsyncRequestBody c) c.close();
    }
}
