package dev.ferry.engine;

/**
 * What the engine may ask of the connection a client talks through. The server package implements it
 * over a socket; the engine never sees the socket, so command families stay testable and free of I/O.
 */
public interface ClientChannel {
    /** Hands the replies written so far to the socket (used outside a read: timers, wake-ups). */
    void flush();

    /** Closes the connection once the pending replies are written (QUIT, CLIENT KILL of oneself). */
    void closeAfterReply();

    /**
     * Closes the connection now, dropping replies not written yet (CLIENT KILL, idle timeout), as Redis's
     * freeClient does: a client that does not read is closed too.
     */
    void kill();

    /**
     * Stops executing this client's input and holds its replies until {@link #resume()}: the socket is not
     * read meanwhile, so what the client sends waits in the kernel, not in our memory.
     */
    void pause();

    /** Ends a pause; held input is executed in a later turn of the loop, never inside the caller. */
    void resume();

    /**
     * A blocking command waits (BLPOP): stops executing this client's input, as {@link #pause()} does, but
     * replies already written still leave, and the socket is still read (up to the query buffer limit) so
     * that a disconnection is seen.
     */
    void blockInput();

    /** The blocking command was served or timed out: held input runs in a later turn of the loop. */
    void unblockInput();

    boolean closed();

    /**
     * Sends {@code length} bytes of a file after the replies written so far, straight from the file to the socket
     * (a full resync's snapshot). The channel is the caller's: it is closed once sent or failed. done gets null
     * or the failure, on the executing loop.
     */
    void sendFile(java.nio.channels.FileChannel file, long length, java.util.function.Consumer<Throwable> done);

    /**
     * Writes bytes straight to the socket, after the replies queued so far and outside the reply buffer and its
     * limits (a diskless full resync's RDB stream, whose sender bounds what it has in flight). The bytes are not
     * changed by the channel and may be shared with other channels. written gets null once the socket took them,
     * or the failure (the connection closed), on the executing loop. A channel without a socket of its own (the
     * client that applies a master's stream) refuses.
     */
    default void sendBytes(java.nio.ByteBuffer bytes, java.util.function.Consumer<Throwable> written) {
        written.accept(new UnsupportedOperationException("this channel has no socket to send bytes to"));
    }

    /** "ip:port" of the peer and of our side, as CLIENT LIST shows them. */
    String addr();

    String laddr();

    /** Bytes read but not executed yet (CLIENT LIST qbuf). */
    long pendingInputBytes();

    /** Bytes allocated for input (qbuf + qbuf-free). */
    long inputBufferBytes();

    /**
     * Memory held by replies waiting for the socket (CLIENT LIST omem, Redis's
     * getClientOutputBufferMemoryUsage): what client-output-buffer-limit is checked against.
     */
    long pendingOutputBytes();

    /** How many blocks of replies wait for the socket (CLIENT LIST oll). */
    long outputListLength();

    /** True while replies wait for the socket to accept them (CLIENT LIST events "w"). */
    boolean writePending();

    /** True while the socket is read (CLIENT LIST events "r"): not while paused, nor blocked past the query buffer limit. */
    default boolean reading() {
        return true;
    }

    /** The largest batch of replies of the last few seconds (CLIENT LIST rbp). */
    long replyBufferPeak();

    /** The most input memory this client held during the last seconds (INFO client_recent_max_input_buffer). */
    long recentMaxInputBytes();

    /** The most output memory this client held during the last seconds (INFO client_recent_max_output_buffer). */
    long recentMaxOutputBytes();

    /** Which client-output-buffer-limit class applies (Redis's getClientType); {@link ClientType#NORMAL} at first. */
    ClientType type();

    /** Set by the code that turns a connection into a replica, a subscriber or a master link. */
    void type(ClientType type);
}
