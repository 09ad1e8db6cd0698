package dev.ferry.replication;

import dev.ferry.engine.ClientChannel;
import dev.ferry.engine.ClientType;

import java.nio.channels.FileChannel;
import java.util.function.Consumer;

/**
 * The channel of the client that applies the master's stream (Redis's server.master): it answers nothing, as a
 * replica answers its master nothing; the link's own socket is {@link MasterLink}'s. CLIENT LIST shows it with
 * flag M, and CLIENT KILL TYPE master ends the link.
 */
final class MasterChannel implements ClientChannel {
    private final String addr;
    private final Runnable kill;
    private boolean closed;

    MasterChannel(String addr, Runnable kill) {
        this.addr = addr;
        this.kill = kill;
    }

    @Override
    public void flush() { }

    @Override
    public void closeAfterReply() {
        kill();
    }

    @Override
    public void kill() {
        if (closed) return;
        closed = true;
        kill.run();
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public void pause() { }

    @Override
    public void resume() { }

    @Override
    public void blockInput() { }

    @Override
    public void unblockInput() { }

    @Override
    public boolean closed() {
        return closed;
    }

    @Override
    public void sendFile(FileChannel file, long length, Consumer<Throwable> done) {
        done.accept(new UnsupportedOperationException("the master link sends no files"));
    }

    @Override
    public String addr() {
        return addr;
    }

    @Override
    public String laddr() {
        return "";
    }

    @Override
    public long pendingInputBytes() {
        return 0;
    }

    @Override
    public long inputBufferBytes() {
        return 0;
    }

    @Override
    public long pendingOutputBytes() {
        return 0;
    }

    @Override
    public long outputListLength() {
        return 0;
    }

    @Override
    public boolean writePending() {
        return false;
    }

    @Override
    public long replyBufferPeak() {
        return 0;
    }

    @Override
    public long recentMaxInputBytes() {
        return 0;
    }

    @Override
    public long recentMaxOutputBytes() {
        return 0;
    }

    @Override
    public ClientType type() {
        return ClientType.MASTER;
    }

    @Override
    public void type(ClientType type) { }
}
