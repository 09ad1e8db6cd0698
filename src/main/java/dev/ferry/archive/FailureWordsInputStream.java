package dev.ferry.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * A transfer's body whose failures midway say what failed in the store's words (which object, which server, why)
 * and are IOExceptions, whatever the client threw: a reader of a stream only expects IOExceptions.
 */
final class FailureWordsInputStream extends FilterInputStream {
    private final Function<Throwable, IOException> words;

    FailureWordsInputStream(InputStream in, Function<Throwable, IOException> words) {
        super(in);
        this.words = words;
    }

    @Override
    public int read() throws IOException {
        try {
            return in.read();
        } catch (IOException | RuntimeException e) {
            throw words.apply(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            throw words.apply(e);
        }
    }
}
