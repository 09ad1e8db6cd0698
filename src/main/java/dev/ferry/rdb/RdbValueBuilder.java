package dev.ferry.rdb;

import dev.ferry.store.HashValue;
import dev.ferry.store.ListValue;
import dev.ferry.store.Listpack;
import dev.ferry.store.SetValue;
import dev.ferry.store.StringValue;
import dev.ferry.store.Value;
import dev.ferry.store.ZSetValue;
import dev.ferry.store.ZTree;

import java.io.IOException;

/**
 * Turns what an {@link RdbReader} hands over into Ferry values, in the encodings Redis 7.0's rdbLoadObject gives
 * them: a compact blob is adopted as it is and converted only past the thresholds; element streams start in the
 * encoding the announced size calls for and convert as Redis converts them (a long field, a non-integer member);
 * a sorted set read member by member becomes a listpack again when it fits. A duplicate field or member, which
 * Redis refuses ("Duplicate set members detected"), is refused here too: nothing of such a value is kept.
 *
 * <p>Each finished value goes to the {@link Sink} with its key, expiry and the IDLE/FREQ hints that came with
 * it. Loading a file, DEBUG RELOAD and RESTORE share it.
 */
public final class RdbValueBuilder implements RdbVisitor {

    /** The encoding thresholds in force (the CONFIG settings of the same names). */
    public record Limits(int listMaxListpackSize, long hashMaxListpackEntries, long hashMaxListpackValue,
                         long setMaxIntsetEntries, long zsetMaxListpackEntries, long zsetMaxListpackValue,
                         boolean shareIntegers) {}

    /** Receives each value read. idleSeconds and freq are -1 when the file had none for the key. */
    public interface Sink {
        void value(long db, byte[] key, long expireAtMs, long idleSeconds, int freq, Value value) throws IOException;

        /** RESIZEDB: the file's claim of how many keys database db holds (a hint, not to be trusted blindly). */
        default void resizeDb(long db, long keys) throws IOException {}
    }

    /** Told every 16 MiB read (total -1 when unknown): a loader's percent and MB/s. */
    public interface Progress {
        void at(long bytesRead, long total);
    }

    private final Limits limits;
    private final Sink sink;
    private Progress progress = (read, total) -> { };
    private long db;
    private long idle = -1;
    private int freq = -1;

    // the value being read element by element
    private byte[] key;
    private long expireAt;
    private HashValue hash;
    private SetValue set;
    private ZTree zset;
    private ListValue list;

    public RdbValueBuilder(Limits limits, Sink sink) {
        this.limits = limits;
        this.sink = sink;
    }

    public RdbValueBuilder onProgress(Progress p) {
        progress = p;
        return this;
    }

    @Override
    public void progress(long bytesRead, long total) {
        progress.at(bytesRead, total);
    }

    /** Ferry has no functions (FUNCTION LOAD): a file carrying a library is refused, not half loaded. */
    @Override
    public void function(byte[] code) throws IOException {
        throw new RdbFormatException("the file holds a function library, and Ferry has no functions", -1, null);
    }

    @Override
    public void selectDb(long db) {
        this.db = db;
    }

    @Override
    public void resizeDb(long keys, long expires) throws IOException {
        sink.resizeDb(db, keys);
    }

    @Override
    public void idle(long seconds) {
        idle = seconds;
    }

    @Override
    public void freq(int counter) {
        freq = counter;
    }

    private void emit(byte[] k, long expireAtMs, Value v) throws IOException {
        long i = idle;
        int f = freq;
        idle = -1;
        freq = -1;
        sink.value(db, k, expireAtMs, i, f, v);
    }

    private RdbFormatException duplicate(String what) {
        return new RdbFormatException("Duplicate " + what + " detected", -1, key);
    }

    // ---- compact values ----------------------------------------------------------------------------------

    @Override
    public void string(byte[] k, long expireAtMs, byte[] value) throws IOException {
        emit(k, expireAtMs, StringValue.fromArgument(value, limits.shareIntegers()));
    }

    @Override
    public void hashListpack(byte[] k, long expireAtMs, byte[] lp) throws IOException {
        emit(k, expireAtMs, HashValue.ofListpack(lp, limits.hashMaxListpackEntries()));
    }

    @Override
    public void zsetListpack(byte[] k, long expireAtMs, byte[] lp) throws IOException {
        emit(k, expireAtMs, ZSetValue.ofListpack(lp, limits.zsetMaxListpackEntries()));
    }

    @Override
    public void setIntset(byte[] k, long expireAtMs, byte[] intset) throws IOException {
        emit(k, expireAtMs, SetValue.ofIntset(intset, limits.setMaxIntsetEntries()));
    }

    /** A Redis 7.2 listpack set: Redis 7.0 has no such encoding, so it loads as a set read member by member. */
    @Override
    public void setListpack(byte[] k, long expireAtMs, byte[] lp) throws IOException {
        beginSet(k, expireAtMs, Listpack.count(lp));
        for (int p = Listpack.first(lp); p >= 0; p = Listpack.next(lp, p)) setMember(Listpack.text(lp, p));
        endValue();
    }

    // ---- element streams ----------------------------------------------------------------------------------

    private void begin(byte[] k, long expireAtMs) {
        key = k;
        expireAt = expireAtMs;
    }

    @Override
    public void beginHash(byte[] k, long expireAtMs, long sizeHint) {
        begin(k, expireAtMs);
        hash = HashValue.forLoading(sizeHint, limits.hashMaxListpackEntries());
    }

    @Override
    public void hashField(byte[] field, byte[] value) throws IOException {
        if (hash.set(field, value, limits.hashMaxListpackEntries(), limits.hashMaxListpackValue())) throw duplicate("hash fields");
    }

    @Override
    public void beginSet(byte[] k, long expireAtMs, long sizeHint) {
        begin(k, expireAtMs);
        set = SetValue.forLoading(sizeHint, limits.setMaxIntsetEntries());
    }

    @Override
    public void setMember(byte[] member) throws IOException {
        if (!set.add(member, limits.setMaxIntsetEntries())) throw duplicate("set members");
    }

    @Override
    public void beginZSet(byte[] k, long expireAtMs, long sizeHint) {
        begin(k, expireAtMs);
        zset = new ZTree();
    }

    @Override
    public void zsetMember(byte[] member, double score) throws IOException {
        if (zset.find(member) != null) throw duplicate("zset fields");
        zset.insert(member, score);
    }

    @Override
    public void beginList(byte[] k, long expireAtMs) {
        begin(k, expireAtMs);
        list = new ListValue(limits.listMaxListpackSize());
    }

    @Override
    public void listNode(byte[] lp) {
        // Ferry's own node size decides the nodes: a file's nodes are re-split or joined as elements go in
        for (int p = Listpack.first(lp); p >= 0; p = Listpack.next(lp, p)) list.pushTail(Listpack.text(lp, p));
    }

    @Override
    public void listElement(byte[] element) {
        list.pushTail(element);
    }

    @Override
    public void endValue() throws IOException {
        Value v;
        if (hash != null) {
            v = hash;
        } else if (set != null) {
            v = set;
        } else if (zset != null) {
            int maxEntries = (int) Math.min(Integer.MAX_VALUE, limits.zsetMaxListpackEntries());
            int maxValue = (int) Math.min(Integer.MAX_VALUE, limits.zsetMaxListpackValue());
            v = ZSetValue.build(zset, maxEntries, maxValue);
        } else {
            v = list;
        }
        hash = null;
        set = null;
        zset = null;
        list = null;
        byte[] k = key;
        key = null;
        emit(k, expireAt, v);
    }
}
