package dev.ferry.server;

import dev.ferry.engine.Client;
import dev.ferry.engine.ClientChannel;
import dev.ferry.engine.ServerContext;
import dev.ferry.protocol.Reply;
import dev.ferry.protocol.RespParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * One connection's socket side: it reads, parses, hands each command to its {@link Client} and writes
 * the replies.
 *
 * <p>A read is handled in one go on the executing event loop: every complete command in it is executed
 * in order and every reply lands in one buffer, which leaves in a single socket write at the end. That
 * is what makes pipelining cheap.
 */
final class Connection implements ClientChannel, RespParser.Sink {
    private final NetSocketInternal socket;
    private final ServerContext server;
    private final RespParser parser;
    private final Client client;
    private final Reply reply;
    private final ByteBufAllocator alloc;
    private final String addr;
    private final String laddr;

    /** Input read before a pause and not executed yet; at most one read, since a paused socket is not read. */
    private ByteBuf held;
    private boolean paused;
    private boolean closeAfterReply;
    private boolean closed;

    Connection(long id, NetSocketInternal socket, ServerContext server) {
        this.socket = socket;
        this.server = server;
        this.parser = new RespParser(server.settings());
        this.alloc = socket.channelHandlerContext().alloc();
        this.addr = format(socket.remoteAddress());
        this.laddr = format(socket.localAddress());
        this.client = new Client(id, this, server);
        this.reply = client.reply();
    }

    private static String format(SocketAddress a) {
        if (a == null) return "";
        return a.hostAddress() + ":" + a.port();
    }

    Client client() {
        return client;
    }

    // ---- input --------------------------------------------------------------------------------------

    void onMessage(Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (closed) return;
            server.stats().netInputBytes += in.readableBytes();
            client.touch(System.currentTimeMillis());
            if (held != null || paused) {
                // a paused client executes nothing until resume(), even bytes that arrive later
                hold(in);
                return;
            }
            process(in);
        } finally {
            in.release();
        }
    }

    private void hold(ByteBuf in) {
        if (held == null) held = alloc.heapBuffer(in.readableBytes());
        held.writeBytes(in);
    }

    private void process(ByteBuf in) {
        RespParser.Result r = parser.feed(in, this);
        switch (r) {
            case STOPPED -> {
                if (in.isReadable() && !closeAfterReply) hold(in);
            }
            case ERROR -> client.protocolError(parser.error());
            case QUERY_BUFFER_LIMIT -> closeAfterReply = true;
            case NEED_MORE -> { }
        }
        flush();
    }

    @Override
    public boolean onCommand(byte[][] argv) {
        client.execute(argv);
        return !paused && !closeAfterReply;
    }

    @Override
    public boolean authRequired() {
        return client.authRequired();
    }

    // ---- output -------------------------------------------------------------------------------------

    /** Sends what the batch wrote in one socket write; closes the connection if a reply asked for it. */
    @Override
    public void flush() {
        if (closed) {
            reply.truncate(0);
            return;
        }
        if (paused) return; // replies of a paused client wait with it (DEBUG SLEEP inside EXEC stays in order)
        if (!reply.isEmpty()) {
            ByteBuf buf = reply.drain(alloc);
            server.stats().netOutputBytes += buf.readableBytes();
            socket.writeMessage(buf, null); // no completion handler: Vert.x then skips allocating a promise
        }
        if (closeAfterReply) {
            closed = true;
            socket.close();
            return;
        }
        if (socket.writeQueueFull()) {
            // a client that does not read its replies stops being read, instead of growing our memory
            socket.pause();
            socket.drainHandler(v -> socket.resume());
        }
    }

    @Override
    public void pause() {
        if (paused) return;
        paused = true;
        socket.pause();
    }

    @Override
    public void resume() {
        if (!paused) return;
        paused = false;
        socket.resume();
        // held input runs in its own turn of the loop, never inside whoever called resume()
        server.executor().runOnContext(v -> {
            if (closed || paused) {
                flush();
                return;
            }
            ByteBuf h = held;
            held = null;
            if (h == null) {
                flush();
                return;
            }
            try {
                process(h);
            } finally {
                h.release();
            }
        });
    }

    @Override
    public void closeAfterReply() {
        closeAfterReply = true;
    }

    @Override
    public void kill() {
        if (closed) return;
        if (!reply.isEmpty() && !paused) flush();
        closed = true;
        socket.close();
    }

    void onClosed() {
        closed = true;
        client.onClosed();
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public boolean closed() {
        return closed;
    }

    @Override
    public String addr() {
        return addr;
    }

    @Override
    public String laddr() {
        return laddr;
    }

    @Override
    public long pendingInputBytes() {
        return parser.pendingBytes() + (held == null ? 0 : held.readableBytes());
    }

    @Override
    public long inputBufferBytes() {
        return pendingInputBytes();
    }

    @Override
    public long pendingOutputBytes() {
        return reply.position();
    }
}
