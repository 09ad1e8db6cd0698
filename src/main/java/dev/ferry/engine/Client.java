package dev.ferry.engine;

import dev.ferry.protocol.Reply;
import dev.ferry.store.Database;

/**
 * The state Redis keeps on its client struct: selected db, AUTH, protocol version, name, CLIENT REPLY
 * mode, the MULTI queue and WATCHed keys. The socket side lives behind {@link ClientChannel}.
 */
public final class Client {

    /** CLIENT REPLY modes; skipping-this-command is internal. */
    public static final int REPLY_ON = 0, REPLY_OFF = 1, REPLY_SKIP_NEXT = 2;
    private static final int REPLY_SKIPPING = 3;

    private final long id;
    private final ClientChannel channel;
    private final ServerContext server;
    private final Reply reply = new Reply();
    private final Call call;
    private final Transaction transaction;
    private final long createdMillis = System.currentTimeMillis();

    private Database db;
    private boolean authenticated;
    private String name = "";
    private String libName = "", libVersion = "";
    private long lastInteractionMillis = createdMillis;
    private String lastCommand = "NULL";
    private boolean noEvict, noTouch;
    /** The blocking command this client waits in; null when not blocked. */
    private BlockedClients.Blocked blocked;
    /** CLIENT REPLY: {@link #REPLY_ON}, {@link #REPLY_OFF}, {@link #REPLY_SKIP_NEXT}, or skipping this command. */
    private int replyMode = REPLY_ON;
    /** Channels, patterns and shard channels this client listens to; null until its first subscription. */
    private PubSub.Subscriptions subscriptions;
    /** True while this client's own command runs with its replies dropped (CLIENT REPLY OFF / SKIP). */
    private boolean droppingReplies;
    /** Push frames written meanwhile: they are kept, as Redis 7.0 lets CLIENT_PUSHING replies through. */
    private Reply keptPushes;
    private Runnable closeHook;
    /** The stream's offset after this client's last write (Redis's woff): what WAIT waits for. */
    private long replOffset;
    /** In MONITOR mode (Redis's CLIENT_MONITOR): it hears every command, see {@link Monitors}. */
    private boolean monitor;

    public Client(long id, ClientChannel channel, ServerContext server) {
        this.id = id;
        this.channel = channel;
        this.server = server;
        this.call = new Call(server, this, reply);
        this.transaction = new Transaction(server.keyspace());
        this.db = server.keyspace().db(0);
        this.authenticated = server.settings().requirepass == null;
    }

    /** Runs one parsed command, honouring CLIENT REPLY OFF/SKIP. */
    public void execute(byte[][] argv) {
        if (replyMode == REPLY_ON) {
            server.dispatcher().execute(this, argv);
            return;
        }
        // CLIENT REPLY OFF / SKIP: the command runs, and what it wrote is dropped (Redis's CLIENT_REPLY_OFF
        // and CLIENT_REPLY_SKIP checks in prepareClientToWrite). A CLIENT REPLY ON sent while replies are
        // off keeps its +OK: Redis clears the flags before it replies.
        if (replyMode == REPLY_SKIP_NEXT) replyMode = REPLY_SKIPPING;
        int mark = reply.position();
        droppingReplies = true;
        try {
            server.dispatcher().execute(this, argv);
        } finally {
            droppingReplies = false;
        }
        if (replyMode == REPLY_SKIPPING) {
            replyMode = REPLY_ON;
            reply.truncate(mark);
        } else if (replyMode == REPLY_OFF) {
            reply.truncate(mark);
        }
        if (keptPushes != null && !keptPushes.isEmpty()) reply.append(keptPushes);
    }

    /**
     * Where a push frame to this client (a pubsub notification or message) is written: its reply buffer,
     * or, while its own command's replies are being dropped, a buffer that outlives the drop.
     */
    Reply pushReply() {
        if (!droppingReplies) return reply;
        if (keptPushes == null) keptPushes = new Reply();
        keptPushes.protocol(reply.protocol());
        return keptPushes;
    }

    /**
     * A protocol error: Redis writes it and closes the connection after the reply. With replies off there
     * is no reply, so (as in Redis) the connection stays open and its further input is ignored.
     */
    public void protocolError(String message) {
        if (replyMode == REPLY_ON) reply.error("ERR " + message);
        server.stats().errorReply("ERR");
        channel.closeAfterReply();
    }

    /** Replies and executes a task on behalf of this client outside a read (timers, async results). */
    public void runLater(Runnable task) {
        server.executor().runOnContext(v -> {
            if (channel.closed()) return;
            task.run();
            channel.flush();
        });
    }

    public boolean authRequired() {
        return !authenticated;
    }

    public void touch(long nowMillis) {
        lastInteractionMillis = nowMillis;
    }

    // ---- state --------------------------------------------------------------------------------------

    public long id() {
        return id;
    }

    public ClientChannel channel() {
        return channel;
    }

    public Reply reply() {
        return reply;
    }

    public Call call() {
        return call;
    }

    public Transaction transaction() {
        return transaction;
    }

    public boolean inMulti() {
        return transaction.active();
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

    /** Sets the name ("" removes it); CLIENT SETNAME's rule: no spaces, newlines or other special characters. */
    public void name(String n) {
        if (!isPrintableWord(n)) throw Errors.of("ERR Client names cannot contain spaces, newlines or special characters.");
        name = n;
    }

    /** Client names and library info: printable ASCII without spaces (Redis's validateClientAttr). */
    public static boolean isPrintableWord(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '!' || ch > '~') return false;
        }
        return true;
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

    PubSub.Subscriptions subscriptions() {
        return subscriptions;
    }

    void subscriptions(PubSub.Subscriptions s) {
        subscriptions = s;
    }

    /** Redis's CLIENT_PUBSUB flag: the client has a channel, pattern or shard channel subscription. */
    public boolean subscribed() {
        return subscriptions != null && PubSub.subscriptionCount(this) + PubSub.shardCount(this) > 0;
    }

    BlockedClients.Blocked blocked() {
        return blocked;
    }

    void blocked(BlockedClients.Blocked b) {
        blocked = b;
    }

    /** True while this client waits in a blocking command (CLIENT LIST flag b). */
    public boolean isBlocked() {
        return blocked != null;
    }

    public long replOffset() {
        return replOffset;
    }

    /** True in MONITOR mode (CLIENT LIST flag O). */
    public boolean monitor() {
        return monitor;
    }

    void monitor(boolean v) {
        monitor = v;
    }

    void replOffset(long offset) {
        replOffset = offset;
    }

    /** What the connection's end must also undo (a replica's or a monitor's registration); one per client. */
    public void onClose(Runnable hook) {
        closeHook = hook;
    }

    /** Called when the connection is gone: WATCHes and subscriptions end, a blocking command is forgotten. */
    public void onClosed() {
        if (closeHook != null) closeHook.run();
        server.monitors().remove(this);
        transaction.unwatchAll();
        server.pubsub().unsubscribeAll(this);
        server.blocked().clientClosed(this);
    }

    // ---- WATCH on the selected db ---------------------------------------------------------------------

    public void watch(byte[] key) {
        transaction.watch(db.index(), key, db.isLogicallyExpired(key));
    }
}
