package dev.ferry.server;

import dev.ferry.engine.Client;
import dev.ferry.engine.ClientChannel;
import dev.ferry.engine.ClientInfo;
import dev.ferry.engine.ClientType;
import dev.ferry.engine.Executor;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.OutputLimitClock;
import dev.ferry.protocol.Reply;
import dev.ferry.protocol.PipelineKeys;
import dev.ferry.protocol.RespParser;
import dev.ferry.store.Dict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketInternal;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One connection's socket side: it reads, parses, hands each command to its {@link Client} and writes
 * the replies.
 *
 * <p>A read is handled in one go on the executing event loop: every complete command in it is executed
 * in order and every reply lands in one buffer, which leaves in a single socket write at the end. That
 * is what makes pipelining cheap. A read is at most {@link RespServer#READ_MAX} bytes, and a connection
 * is read once per turn of the loop, so one client's huge pipeline cannot hold the others back.
 *
 * <p>Output, as Redis does it (networking.c): replies that the socket cannot take now wait in a queue
 * of heap arrays, and move into Netty's (off-heap) buffers only while the channel is writable, that is
 * while Netty holds less than its write-buffer high water mark for this client. So off-heap memory per
 * connection stays bounded whatever the client does; the queue is bounded by client-output-buffer-limit,
 * and the connection keeps being read meanwhile, as in Redis: a client may write a long pipeline before
 * it reads the replies.
 */
final class Connection implements ClientChannel, RespParser.Sink {
    private static final Logger LOG = Logger.getLogger(Connection.class);

    /** A batch of replies up to this size leaves in one direct buffer when nothing waits before it. */
    static final int DIRECT_WRITE_MAX = 64 * 1024;
    /** The most bytes one direct buffer takes from the queue. */
    static final int CHUNK = 64 * 1024;
    /**
     * The most bytes one call moves from a client's queue to a socket that keeps accepting them; the rest
     * moves in a later turn of the loop, after the other clients' I/O (Redis writes at most 64 KB per
     * client per event, NET_MAX_WRITES_PER_EVENT).
     */
    static final int PUMP_BUDGET = 256 * 1024;
    /** Memory counted per queued block besides its bytes: the array header and the deque slot. */
    static final int BLOCK_OVERHEAD = 24;
    /** Redis resets the reply buffer peak (rbp) every 5 seconds (clientsCronResizeOutputBuffer). */
    private static final long REPLY_PEAK_PERIOD_MS = 5000;

    private final NetSocketInternal socket;
    private final Channel channel;
    private final ServerContext server;
    private final RespParser parser;
    private final Client client;
    private final Reply reply;
    private final ByteBufAllocator alloc;
    private final String addr;
    private final String laddr;
    private final RecentPeaks peaks = new RecentPeaks();

    /** Input read before a pause and not executed yet; at most one read, since a paused socket is not read. */
    private ByteBuf held;
    private boolean paused;
    /** In a blocking command: input waits as when paused, output does not. */
    private boolean blocked;
    private boolean closeAfterReply;
    private boolean closed;
    private ClientType type = ClientType.NORMAL;

    /** Replies waiting for the socket, oldest first; null until the first one has to wait. */
    private ArrayDeque<byte[]> queue;
    /** Bytes of the queue's first block already handed to Netty. */
    private int headOffset;
    /** Bytes in the queue not handed to Netty yet. */
    private long queuedBytes;
    private boolean pumping;
    private boolean pumpScheduled;
    private final OutputLimitClock outputLimit = new OutputLimitClock();
    /** The timer that checks the limits while replies wait; -1 when none. */
    private long outputTimer = -1;
    private int replyPeak;
    private long replyPeakSince;
    /**
     * Raw writes ({@link #sendBytes}) that wait for the reply queue to drain, oldest first, and replies written
     * after them (with no callback), so that nothing overtakes; null when none waits.
     */
    private ArrayDeque<RawWrite> rawAfterQueue;

    /** Bytes for the socket outside the reply queue; written is null for replies kept in order behind them. */
    private record RawWrite(java.nio.ByteBuffer bytes, java.util.function.Consumer<Throwable> written) { }

    Connection(long id, NetSocketInternal socket, ServerContext server) {
        this.socket = socket;
        this.channel = socket.channelHandlerContext().channel();
        this.server = server;
        this.parser = new RespParser(server.settings());
        this.alloc = socket.channelHandlerContext().alloc();
        this.addr = format(socket.remoteAddress());
        this.laddr = format(socket.localAddress());
        this.client = new Client(id, this, server);
        this.reply = client.reply();
        // called each time the channel becomes writable again: move more of the queue
        socket.drainHandler(v -> pump());
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
            // after QUIT or a protocol error nothing more is executed (Redis's CLIENT_CLOSE_AFTER_REPLY)
            if (closed || closeAfterReply) return;
            int n = in.readableBytes();
            server.stats().netInputBytes += n;
            long now = System.currentTimeMillis();
            client.touch(now);
            peaks.input(n + pendingInputBytes(), now);
            if (now - replyPeakSince >= REPLY_PEAK_PERIOD_MS) {
                replyPeak = 0;
                replyPeakSince = now;
            }
            if (held != null || paused || blocked) {
                // a paused client executes nothing until resume(), even bytes that arrive later
                hold(in);
                // a blocked client is still read (so that its disconnection is seen, as Redis sees it), up to
                // the query buffer limit
                if (blocked && held.readableBytes() > server.settings().queryBufferLimit()) {
                    channel.config().setAutoRead(false);
                }
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
        RespParser.Result r;
        Executor executor = server.callExecutor();
        executor.beginBatch();
        try {
            r = parser.feed(in, this);
        } finally {
            executor.endBatch();
        }
        switch (r) {
            case STOPPED -> {
                if (in.isReadable() && !closeAfterReply && !closed) hold(in);
            }
            case ERROR -> client.protocolError(parser.error());
            case QUERY_BUFFER_LIMIT -> {
                // Redis frees such a client at once (freeClientAsync), without a reply
                closeAfterReply = true;
                flush();
                if (!closed) closeGracefully();
                return;
            }
            case NEED_MORE -> { }
            case GROW -> {
                if (in.isReadable()) hold(in);
                growOffLoop();
            }
        }
        flush();
    }

    /**
     * A large argument's next array is made on a worker thread (zeroing it, and faulting in fresh memory,
     * takes seconds of one thread for 512 MB), while this connection is not read; the rest of the input
     * waits in {@link #held} and runs once the array is in place. Other clients are served meanwhile.
     */
    private void growOffLoop() {
        pause();
        server.vertx().<byte[]>executeBlocking(parser::grown, false).onComplete(done -> {
            if (closed) return;
            if (done.failed()) {
                // as when the parser's own allocation fails: no memory to read this connection
                FatalErrors.check(done.cause(), "client " + client.id());
                LOG.errorf(done.cause(), "client %d: growing a partial argument failed", client.id());
                closeNow();
                return;
            }
            parser.installGrown(done.result());
            resume();
        });
    }

    @Override
    public boolean onCommand(byte[][] argv) {
        client.execute(argv);
        return !paused && !blocked && !closeAfterReply && !closed;
    }

    /** A pipeline's first keys, found by {@link PipelineKeys}; shared: only the executing loop parses. */
    private static final int[] KEY_OFFS = new int[32], KEY_LENS = new int[32];
    private static final Dict.Entry[] PREFETCHED = new Dict.Entry[32];

    @Override
    public void prefetch(byte[] a, int from, int to) {
        if (to - from < 64) return; // one short command: nothing to overlap
        int n = PipelineKeys.lookaheadKeys(a, from, to, KEY_OFFS, KEY_LENS);
        if (n >= 2) client.db().table().prefetch(a, KEY_OFFS, KEY_LENS, n, PREFETCHED);
    }

    @Override
    public void onEmptyLine() {
        // Redis's processInlineBuffer: a newline from a replica refreshes its last ACK time (it pings back so
        // while it loads a large snapshot, and is not timed out meanwhile)
        if (type == ClientType.REPLICA) server.replicationLinks().replicaKeepalive(client);
    }

    @Override
    public boolean authRequired() {
        return client.authRequired();
    }

    // ---- output -------------------------------------------------------------------------------------

    /**
     * Hands what the batch wrote to the socket: in one write when nothing waits and the channel is
     * writable (the fast path), otherwise through the queue; then applies the output buffer limits and
     * closes the connection if a reply asked for it.
     */
    @Override
    public void flush() {
        if (closed) {
            reply.truncate(0);
            return;
        }
        if (paused) return; // replies of a paused client wait with it (DEBUG SLEEP inside EXEC stays in order)
        int n = reply.position();
        if (n > 0 && rawAfterQueue != null) {
            // raw bytes wait for the queue to drain: these replies go after them
            rawAfterQueue.addLast(new RawWrite(java.nio.ByteBuffer.wrap(reply.drainToArray()), null));
            return;
        }
        if (n > 0) {
            if (n > replyPeak) replyPeak = n;
            if (queuedBytes == 0 && n <= DIRECT_WRITE_MAX && channel.isWritable()) {
                server.stats().netOutputBytes += n;
                socket.writeMessage(reply.drain(alloc), null); // no completion handler: Vert.x then skips allocating a promise
            } else {
                int head = 0;
                if (queuedBytes == 0 && channel.isWritable()) {
                    // what pump() would move first leaves straight from the reply buffer, and only the rest is
                    // copied into the queue (a pipeline of LRANGE_600 replies is ~86 KB a batch)
                    head = CHUNK;
                    server.stats().netOutputBytes += head;
                    socket.writeMessage(reply.copyHead(alloc, head), null);
                }
                enqueue(reply.drainToArray(head));
                pump();
                if (closeOnOutputLimit(true)) return;
                if (queuedBytes > 0) watchOutput();
            }
        }
        // Redis closes a CLOSE_AFTER_REPLY client once its reply is written; with nothing to write (CLIENT
        // REPLY OFF dropped the protocol error or QUIT's +OK) it never gets there: the connection stays
        // open and what it sends is ignored
        if (closeAfterReply && n > 0 && queuedBytes == 0) closeGracefully();
    }

    private void enqueue(byte[] block) {
        if (block == null) return;
        if (queue == null) queue = new ArrayDeque<>();
        queue.addLast(block);
        queuedBytes += block.length;
    }

    /**
     * Moves queued replies into Netty while the channel is writable, at most {@link #PUMP_BUDGET} bytes
     * per call. Runs after a batch and whenever the channel becomes writable again (the drain handler).
     */
    private void pump() {
        if (pumping || closed || queuedBytes == 0) return;
        pumping = true; // a write that flushes can report writability at once, which calls pump() again
        try {
            int budget = PUMP_BUDGET;
            while (queuedBytes > 0 && channel.isWritable()) {
                if (budget <= 0) {
                    schedulePump();
                    break;
                }
                byte[] head = queue.peekFirst();
                int len = Math.min(head.length - headOffset, CHUNK);
                ByteBuf out = alloc.directBuffer(len);
                out.writeBytes(head, headOffset, len);
                headOffset += len;
                queuedBytes -= len;
                budget -= len;
                if (headOffset == head.length) {
                    queue.pollFirst();
                    headOffset = 0;
                }
                server.stats().netOutputBytes += len;
                socket.writeMessage(out, null);
            }
        } finally {
            pumping = false;
        }
        if (queuedBytes == 0) {
            outputLimit.reset();
            writeRawAfterQueue();
            if (closeAfterReply && !closed) closeGracefully();
        }
    }

    /** The queue has drained: the raw writes that waited for it (and replies kept behind them) leave, in order. */
    private void writeRawAfterQueue() {
        ArrayDeque<RawWrite> raw = rawAfterQueue;
        if (raw == null) return;
        rawAfterQueue = null;
        for (RawWrite w : raw) writeRaw(w.bytes(), w.written());
    }

    /** Continues a pump in a later turn of the loop, after the I/O of the other connections. */
    private void schedulePump() {
        if (pumpScheduled) return;
        pumpScheduled = true;
        channel.eventLoop().schedule(() -> {
            pumpScheduled = false;
            pump();
        }, 0, TimeUnit.NANOSECONDS);
    }

    /**
     * Redis's closeClientOnOutputBufferLimitReached: a client whose waiting replies reach the hard limit of
     * its class, or stay over the soft limit for longer than the soft seconds, is closed at once. Checked
     * when replies are added (Redis's async variant and its log line) and, while replies wait, by a timer
     * (Redis's clientsCron, the sync variant), so a client over the soft limit is closed even when it sends
     * nothing more.
     */
    private boolean closeOnOutputLimit(boolean async) {
        if (queuedBytes == 0 && type != ClientType.REPLICA) return false;
        long used = pendingOutputBytes();
        long now = System.currentTimeMillis();
        peaks.output(used, now);
        if (!outputLimit.over(server.settings(), type.limitClass(), type == ClientType.REPLICA, used, now / 1000)) return false;
        String info = ClientInfo.line(client, 0);
        server.stats().clientOutputBufferLimitDisconnections++;
        if (async) LOG.warnf("Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", info);
        else LOG.warnf("Client %s closed for overcoming of output buffer limits.", info);
        closeNow();
        return true;
    }

    /** While replies wait, checks the limits every cron period (1000 / hz ms, like Redis's clientsCron). */
    private void watchOutput() {
        if (outputTimer >= 0 || closed) return;
        long period = Math.max(1, 1000 / Math.max(1, server.settings().hz));
        outputTimer = server.vertx().setTimer(period, id -> {
            outputTimer = -1;
            if (closed || queuedBytes == 0) return;
            if (!closeOnOutputLimit(false)) watchOutput();
        });
    }

    /** Vert.x's close: writes what Netty holds first (QUIT's +OK), then closes. */
    private void closeGracefully() {
        closed = true;
        socket.close();
    }

    /**
     * Redis's freeClient: closes at once, dropping replies not written yet. Netty's own close, since
     * Vert.x's would wait for pending writes that a client that does not read never takes.
     */
    private void closeNow() {
        closed = true;
        reply.truncate(0);
        dropQueue();
        // Past the pipeline: a close sent through it waited behind the replies Netty still held for a
        // client that does not read (measured: the socket stayed open, fd and kernel buffers held, for good)
        channel.unsafe().close(channel.voidPromise());
    }

    private void dropQueue() {
        queue = null;
        headOffset = 0;
        queuedBytes = 0;
        ArrayDeque<RawWrite> raw = rawAfterQueue;
        rawAfterQueue = null;
        if (raw != null) {
            for (RawWrite w : raw) if (w.written() != null) w.written().accept(new java.io.IOException("connection closed"));
        }
        if (outputTimer >= 0) {
            server.vertx().cancelTimer(outputTimer);
            outputTimer = -1;
        }
    }

    /**
     * Stops reading the socket (Netty's autoRead), so what the client sends meanwhile waits in the kernel:
     * held input is at most the one read being executed. NetSocket.pause() would not do: it pauses Vert.x's
     * inbound buffer, which a socket with a message handler bypasses.
     */
    @Override
    public void pause() {
        if (paused) return;
        paused = true;
        channel.config().setAutoRead(false);
    }

    @Override
    public void blockInput() {
        blocked = true;
    }

    @Override
    public void unblockInput() {
        if (!blocked) return;
        blocked = false;
        if (!paused) continueInput();
    }

    @Override
    public void resume() {
        if (!paused) return;
        paused = false;
        if (!blocked) continueInput();
    }

    /** Reads again and runs held input, in its own turn of the loop, never inside the caller. */
    private void continueInput() {
        channel.config().setAutoRead(true);
        server.executor().runOnContext(v -> {
            if (closed || paused || blocked) {
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

    /**
     * Netty's zero-copy file transfer (a FileRegion: sendfile(2) from the page cache to the socket), after the
     * queued replies; the file's bytes never pass through the heap (but over TLS, which must encrypt them).
     */
    @Override
    public void sendFile(java.nio.channels.FileChannel file, long length, java.util.function.Consumer<Throwable> done) {
        flush();
        if (closed) {
            closeQuietly(file);
            done.accept(new java.io.IOException("connection closed"));
            return;
        }
        if (queuedBytes > 0) {
            // replies still wait for the socket: the file goes after them
            server.vertx().setTimer(10, id -> sendFile(file, length, done));
            return;
        }
        server.stats().netOutputBytes += length;
        // TLS encrypts in the JVM, so the file goes in chunks through the TLS handler (Vert.x puts a chunked writer
        // in a TLS connection's pipeline); plain TCP keeps the zero-copy region
        Object message;
        try {
            message = socket.isSsl()
                ? new io.netty.handler.stream.ChunkedNioFile(file, 0, length, 64 * 1024)
                : new io.netty.channel.DefaultFileRegion(file, 0, length);
        } catch (java.io.IOException e) {
            closeQuietly(file);
            done.accept(e);
            return;
        }
        socket.writeMessage(message, ar -> {
            closeQuietly(file);
            done.accept(ar.succeeded() ? null : ar.cause());
        });
    }

    /**
     * The bytes go to Netty as they are, wrapped, not copied (the transport copies them into a direct buffer as
     * it writes); only after the queued replies, which are not bounded by the sender of these bytes.
     */
    @Override
    public void sendBytes(java.nio.ByteBuffer bytes, java.util.function.Consumer<Throwable> written) {
        flush();
        if (closed) {
            written.accept(new java.io.IOException("connection closed"));
            return;
        }
        if (queuedBytes > 0 || rawAfterQueue != null) {
            if (rawAfterQueue == null) rawAfterQueue = new ArrayDeque<>();
            rawAfterQueue.addLast(new RawWrite(bytes, written));
            return;
        }
        writeRaw(bytes, written);
    }

    private void writeRaw(java.nio.ByteBuffer bytes, java.util.function.Consumer<Throwable> written) {
        server.stats().netOutputBytes += bytes.remaining();
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(bytes.duplicate());
        if (written == null) {
            socket.writeMessage(buf, null);
        } else {
            socket.writeMessage(buf, ar -> written.accept(ar.succeeded() ? null : ar.cause()));
        }
    }

    private static void closeQuietly(java.nio.channels.FileChannel file) {
        try {
            file.close();
        } catch (java.io.IOException ignored) {
            // read-only: nothing to lose
        }
    }

    @Override
    public void closeAfterReply() {
        closeAfterReply = true;
    }

    @Override
    public void kill() {
        if (closed) return;
        closeNow();
    }

    void onClosed() {
        closed = true;
        client.onClosed();
        dropQueue();
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
    public ClientType type() {
        return type;
    }

    @Override
    public void type(ClientType type) {
        this.type = type;
    }

    // ---- what CLIENT LIST and INFO report ------------------------------------------------------------

    @Override
    public long pendingInputBytes() {
        return parser.pendingBytes() + (held == null ? 0 : held.readableBytes());
    }

    @Override
    public long inputBufferBytes() {
        return parser.pendingBytes() + (held == null ? 0 : held.capacity());
    }

    /** The queue (its bytes and blocks) plus what Netty holds for this client, entries' overhead included. */
    @Override
    public long pendingOutputBytes() {
        long queued = queuedBytes == 0 ? 0 : queuedBytes + (long) BLOCK_OVERHEAD * queue.size();
        ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
        return queued + (netty == null ? 0 : netty.totalPendingWriteBytes());
    }

    @Override
    public long outputListLength() {
        ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
        return (queuedBytes == 0 ? 0 : queue.size()) + (netty == null ? 0 : netty.size());
    }

    @Override
    public boolean reading() {
        return !closed && channel.config().isAutoRead();
    }

    @Override
    public boolean writePending() {
        ChannelOutboundBuffer netty = channel.unsafe().outboundBuffer();
        return queuedBytes > 0 || (netty != null && netty.totalPendingWriteBytes() > 0);
    }

    @Override
    public long replyBufferPeak() {
        return System.currentTimeMillis() - replyPeakSince >= REPLY_PEAK_PERIOD_MS ? 0 : replyPeak;
    }

    @Override
    public long recentMaxInputBytes() {
        return Math.max(peaks.maxInput(System.currentTimeMillis()), inputBufferBytes());
    }

    @Override
    public long recentMaxOutputBytes() {
        return Math.max(peaks.maxOutput(System.currentTimeMillis()), pendingOutputBytes());
    }
}
