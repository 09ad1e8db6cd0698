package dev.ferry.server;

import dev.ferry.command.Call;
import dev.ferry.command.CommandSpec;
import dev.ferry.protocol.Reply;
import dev.ferry.protocol.RespParser;
import dev.ferry.store.Database;
import dev.ferry.store.Keyspace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketInternal;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection: its parser, its reply buffer and the state Redis keeps on its client struct
 * (selected db, AUTH, protocol version, MULTI queue, WATCHed keys, name).
 *
 * <p>A read is handled in one go on the executing event loop: every complete command in it is executed
 * in order and every reply lands in one buffer, which leaves in a single socket write at the end. That
 * is what makes pipelining cheap.
 */
public final class ClientSession implements RespParser.Sink, Keyspace.Watcher {

    /** A command queued by MULTI, resolved (subcommand included) when it was queued. */
    public record Queued(CommandSpec spec, byte[][] argv) { }

    /** A key under WATCH, and whether it was already logically expired when watched. */
    public record WatchedKey(int db, byte[] key, boolean expiredWhenWatched) { }

    /** CLIENT REPLY modes; skipping-this-command is internal. */
    public static final int REPLY_ON = 0, REPLY_OFF = 1, REPLY_SKIP_NEXT = 2;
    private static final int REPLY_SKIPPING = 3;

    private final long id;
    private final NetSocketInternal socket;
    private final ServerContext server;
    private final Dispatcher dispatcher;
    private final RespParser parser;
    private final Reply reply = new Reply();
    private final Call call;
    private final ByteBufAllocator alloc;
    private final long createdMillis = System.currentTimeMillis();
    private final String addr;
    private final String laddr;

    private Database db;
    private boolean authenticated;
    private String name = "";
    private String libName = "", libVersion = "";
    private long lastInteractionMillis = createdMillis;
    private String lastCommand = "NULL";
    private boolean noEvict, noTouch;
    /** CLIENT REPLY: {@link #REPLY_ON}, {@link #REPLY_OFF}, {@link #REPLY_SKIP_NEXT}, or skipping this command. */
    private int replyMode = REPLY_ON;

    private List<Queued> multi;
    private boolean multiError;
    private final List<WatchedKey> watched = new ArrayList<>();
    private boolean watchedKeyChanged;

    /** Input held back while the client is paused (the rest of a pipeline after DEBUG SLEEP). */
    private ByteBuf held;
    private boolean paused;
    private boolean closeAfterReply;
    private boolean closed;

    ClientSession(long id, NetSocketInternal socket, ServerContext server, Dispatcher dispatcher) {
        this.id = id;
        this.socket = socket;
        this.server = server;
        this.dispatcher = dispatcher;
        this.parser = new RespParser(server.settings());
        this.call = new Call(server, this, reply);
        this.alloc = socket.channelHandlerContext().alloc();
        this.db = server.keyspace().db(0);
        this.authenticated = server.settings().requirepass == null;
        this.addr = format(socket.remoteAddress());
        this.laddr = format(socket.localAddress());
    }

    private static String format(SocketAddress a) {
        if (a == null) return "";
        return a.hostAddress() + ":" + a.port();
    }

    // ---- input --------------------------------------------------------------------------------------

    void onMessage(Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (closed) return;
            server.stats().netInputBytes += in.readableBytes();
            lastInteractionMillis = System.currentTimeMillis();
            if (held != null || paused) {
                // a paused client (DEBUG SLEEP) executes nothing until resume(), even bytes that arrive later
                if (held == null) held = alloc.heapBuffer(in.readableBytes());
                held.writeBytes(in);
                return;
            }
            process(in);
        } finally {
            in.release();
        }
    }

    private void process(ByteBuf in) {
        RespParser.Result r = parser.feed(in, this);
        switch (r) {
            case STOPPED -> {
                if (in.isReadable() && !closeAfterReply) {
                    held = alloc.heapBuffer(in.readableBytes());
                    held.writeBytes(in);
                }
            }
            case ERROR -> {
                // Redis answers a protocol error and then closes the connection
                reply.error("ERR " + parser.error());
                server.stats().errorReply("ERR");
                closeAfterReply = true;
            }
            case QUERY_BUFFER_LIMIT -> {
                closeAfterReply = true;
            }
            case NEED_MORE -> { }
        }
        flushReplies();
    }

    @Override
    public boolean onCommand(byte[][] argv) {
        if (replyMode == REPLY_ON) dispatcher.execute(this, argv);
        else executeQuietly(argv);
        return !paused && !closeAfterReply;
    }

    /**
     * CLIENT REPLY OFF / SKIP: the command runs, and what it wrote is dropped (Redis's CLIENT_REPLY_OFF and
     * CLIENT_REPLY_SKIP checks in prepareClientToWrite). A CLIENT REPLY ON sent while replies are off keeps
     * its +OK: Redis clears the flags before it replies.
     */
    private void executeQuietly(byte[][] argv) {
        if (replyMode == REPLY_SKIP_NEXT) replyMode = REPLY_SKIPPING;
        int mark = reply.position();
        dispatcher.execute(this, argv);
        if (replyMode == REPLY_SKIPPING) {
            replyMode = REPLY_ON;
            reply.truncate(mark);
        } else if (replyMode == REPLY_OFF) {
            reply.truncate(mark);
        }
    }

    @Override
    public boolean authRequired() {
        return !authenticated;
    }

    // ---- output -------------------------------------------------------------------------------------

    /** Sends what the batch wrote in one socket write; closes the connection if a reply asked for it. */
    public void flushReplies() {
        if (closed) {
            reply.truncate(0);
        } else if (!reply.isEmpty()) {
            ByteBuf buf = reply.drain(alloc);
            server.stats().netOutputBytes += buf.readableBytes();
            socket.writeMessage(buf, null); // no completion handler: Vert.x then skips allocating a promise
        }
        if (closeAfterReply && !closed) {
            closed = true;
            socket.close();
            return;
        }
        if (!closed && socket.writeQueueFull()) {
            // a client that does not read its replies stops being read, instead of growing our memory
            socket.pause();
            socket.drainHandler(v -> socket.resume());
        }
    }

    /** Replies and executes a task on behalf of this client outside a read (timers, async results). */
    public void runLater(Runnable task) {
        server.executor().runOnContext(v -> {
            if (closed) return;
                task.run();
            flushReplies();
        });
    }

    /** Stops executing this client's commands until {@link #resume()} (DEBUG SLEEP). */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        ByteBuf h = held;
        held = null;
        if (h != null) {
            try {
                process(h);
            } finally {
                h.release();
            }
        }
    }

    /** Closes the connection once the current replies are written (QUIT, CLIENT KILL of oneself). */
    public void closeAfterReply() {
        closeAfterReply = true;
        paused = true;
    }

    /** Closes the connection now (CLIENT KILL, idle timeout, maxclients). */
    public void kill() {
        if (closed) return;
        closed = true;
        if (!reply.isEmpty()) flushReplies();
        socket.close();
    }

    void onClosed() {
        closed = true;
        unwatchAll();
        if (held != null) {
            held.release();
            held = null;
        }
    }

    // ---- state --------------------------------------------------------------------------------------

    public long id() {
        return id;
    }

    public Reply reply() {
        return reply;
    }

    public Call call() {
        return call;
    }

    public Database db() {
        return db;
    }

    public void select(int index) {
        db = server.keyspace().db(index);
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void authenticated(boolean v) {
        authenticated = v;
    }

    public int protocol() {
        return reply.protocol();
    }

    public void protocol(int v) {
        reply.protocol(v);
    }

    public String name() {
        return name;
    }

    public void name(String n) {
        name = n;
    }

    public void libInfo(String libName, String libVersion) {
        if (libName != null) this.libName = libName;
        if (libVersion != null) this.libVersion = libVersion;
    }

    public boolean noEvict() {
        return noEvict;
    }

    public void noEvict(boolean v) {
        noEvict = v;
    }

    /** CLIENT NO-TOUCH: this client's reads leave the keys' access time alone (the keyspace may honour it). */
    public boolean noTouch() {
        return noTouch;
    }

    public void noTouch(boolean v) {
        noTouch = v;
    }

    public int replyMode() {
        return replyMode;
    }

    public void replyMode(int mode) {
        replyMode = mode;
    }

    public String libName() {
        return libName;
    }

    public String libVersion() {
        return libVersion;
    }

    public String addr() {
        return addr;
    }

    public String laddr() {
        return laddr;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public long lastInteractionMillis() {
        return lastInteractionMillis;
    }

    public String lastCommand() {
        return lastCommand;
    }

    void lastCommand(String fullName) {
        lastCommand = fullName;
    }

    public long pendingInputBytes() {
        return parser.pendingBytes() + (held == null ? 0 : held.readableBytes());
    }

    public boolean closed() {
        return closed;
    }

    // ---- MULTI / WATCH --------------------------------------------------------------------------------

    public boolean inMulti() {
        return multi != null;
    }

    public void startMulti() {
        multi = new ArrayList<>();
        multiError = false;
    }

    /** Leaves MULTI and returns the queue (EXEC or DISCARD); WATCHes end too. */
    public List<Queued> endMulti() {
        List<Queued> q = multi;
        multi = null;
        multiError = false;
        return q;
    }

    void queue(CommandSpec spec, byte[][] argv) {
        multi.add(new Queued(spec, argv));
    }

    public int queuedCount() {
        return multi == null ? -1 : multi.size();
    }

    /** A command was refused while queuing: EXEC must answer EXECABORT. */
    void flagMultiError() {
        if (multi != null) multiError = true;
    }

    public boolean multiError() {
        return multiError;
    }

    public void watch(byte[] key) {
        int d = db.index();
        for (WatchedKey w : watched) if (w.db() == d && java.util.Arrays.equals(w.key(), key)) return;
        watched.add(new WatchedKey(d, key, db.isLogicallyExpired(key)));
        server.keyspace().watch(d, key, this);
    }

    public void unwatchAll() {
        for (WatchedKey w : watched) server.keyspace().unwatch(w.db(), w.key(), this);
        watched.clear();
        watchedKeyChanged = false;
    }

    public int watchedCount() {
        return watched.size();
    }

    /**
     * True when a WATCHed key changed, or has expired since it was watched (Redis's
     * isWatchedKeyExpired: an expiry counts as a change even before anything deleted the key).
     */
    public boolean watchedKeysDirty() {
        if (watchedKeyChanged) return true;
        for (WatchedKey w : watched) {
            if (!w.expiredWhenWatched() && server.keyspace().db(w.db()).isLogicallyExpired(w.key())) return true;
        }
        return false;
    }

    @Override
    public void watchedKeyChanged() {
        watchedKeyChanged = true;
    }
}
