package dev.ferry.archive;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.nio.ByteBuffer;

/** Passes a body's buffers on and tells its part how many bytes each held. */
final class CountingSubscriber implements Subscriber<ByteBuffer> {
    private final Subscriber<? super ByteBuffer> next;
    private final TransferCounter.Part part;

    CountingSubscriber(Subscriber<? super ByteBuffer> next, TransferCounter.Part part) {
        this.next = next;
        this.part = part;
        part.restart();
    }

    @Override
    public void onSubscribe(Subscription s) {
        next.onSubscribe(s);
    }

    @Override
    public void onNext(ByteBuffer b) {
        int n = b.remaining();
        next.onNext(b);
        part.moved(n);
    }

    @Override
    public void onError(Throwable t) {
        next.onError(t);
    }

    @Override
    public void onComplete() {
        next.onComplete();
    }
}
