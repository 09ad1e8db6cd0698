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

    /** Closes the connection now (CLIENT KILL, idle timeout, output buffer limits). */
    void kill();

    /**
     * Stops executing this client's input and holds its replies until {@link #resume()}: the socket is not
     * read meanwhile, so what the client sends waits in the kernel, not in our memory.
     */
    void pause();

    /** Ends a pause; held input is executed in a later turn of the loop, never inside the caller. */
    void resume();

    boolean closed();

    /** "ip:port" of the peer and of our side, as CLIENT LIST shows them. */
    String addr();

    String laddr();

    /** Bytes read but not executed yet (CLIENT LIST qbuf). */
    long pendingInputBytes();

    /** Bytes allocated for input (qbuf + qbuf-free). */
    long inputBufferBytes();

    /** Reply bytes waiting to be written to the socket (CLIENT LIST omem). */
    long pendingOutputBytes();
}
