package dev.ferry.rdb;

import dev.ferry.store.RdbType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A visitor that only counts, like redis-check-rdb: keys per DB, keys per kind, keys with an expiry,
 * already-expired keys, elements, empty keys skipped, AUX fields, function libraries, module AUX records. Running
 * the reader with it checks a whole file (every length, blob and the checksum) without keeping any value. Unlike
 * redis-check-rdb, which builds every object, it does not find a duplicate among the elements of a hashtable-encoded
 * hash, set or sorted set (blobs are checked for duplicates by the reader itself).
 */
public final class RdbCounter implements RdbVisitor {
    private final long now;
    private int version;
    private long db;
    private final Map<Long, Long> keysPerDb = new TreeMap<>();
    /** Keys of the current DB not yet added to keysPerDb. */
    private long keysInDb;
    private final long[] keysPerType = new long[RdbType.HASH + 1];
    private long keys;
    private long expires;
    private long alreadyExpired;
    private long elements;
    private long emptySkipped;
    private long functions;
    private long moduleAux;
    private final Map<String, String> aux = new LinkedHashMap<>();
    private long checksum;
    private boolean ended;

    /** {@code nowMs}: the time against which expiries count as past. */
    public RdbCounter(long nowMs) {
        this.now = nowMs;
    }

    public RdbCounter() {
        this(System.currentTimeMillis());
    }

    /** Reads a whole file with a counter; the reader's faults propagate. */
    public static RdbCounter check(RdbReader reader) throws IOException {
        RdbCounter c = new RdbCounter();
        reader.read(c);
        return c;
    }

    public int version() {
        return version;
    }

    public long keys() {
        return keys;
    }

    public long keys(long db) {
        flushDb();
        return keysPerDb.getOrDefault(db, 0L);
    }

    public Map<Long, Long> keysPerDb() {
        flushDb();
        return keysPerDb;
    }

    /**
     * Keys of a kind, whatever their encoding in the file: {@link RdbType#STRING}, {@link RdbType#LIST},
     * {@link RdbType#SET}, {@link RdbType#ZSET} or {@link RdbType#HASH}.
     */
    public long keysOfKind(int kind) {
        return keysPerType[kind];
    }

    public long expires() {
        return expires;
    }

    public long alreadyExpired() {
        return alreadyExpired;
    }

    /** Elements of collections (a hash field and value count as one), strings count as one. */
    public long elements() {
        return elements;
    }

    public long emptyKeysSkipped() {
        return emptySkipped;
    }

    public long functions() {
        return functions;
    }

    public long moduleAuxRecords() {
        return moduleAux;
    }

    /** AUX fields as text (ISO-8859-1), in file order. */
    public Map<String, String> aux() {
        return aux;
    }

    public boolean reachedEnd() {
        return ended;
    }

    public long checksum() {
        return checksum;
    }

    @Override
    public void header(int version) {
        this.version = version;
    }

    @Override
    public void aux(byte[] key, byte[] value) {
        aux.put(new String(key, StandardCharsets.ISO_8859_1), new String(value, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void selectDb(long db) {
        flushDb();
        this.db = db;
    }

    /** Adds the keys counted in the current DB to its total: one map update per DB switch, not per key. */
    private void flushDb() {
        if (keysInDb > 0) keysPerDb.merge(db, keysInDb, Long::sum);
        keysInDb = 0;
    }

    @Override
    public void function(byte[] code) {
        functions++;
    }

    @Override
    public void moduleAux(String moduleName, long moduleId, int when) {
        moduleAux++;
    }

    @Override
    public void emptyKeySkipped(byte[] key, int type) {
        emptySkipped++;
    }

    @Override
    public void endOfFile(long checksum) {
        flushDb();
        this.checksum = checksum;
        ended = true;
    }

    private void key(int type, long expireAt) {
        keys++;
        keysInDb++;
        keysPerType[type]++;
        if (expireAt >= 0) {
            expires++;
            if (expireAt < now) alreadyExpired++;
        }
    }

    @Override
    public void string(byte[] key, long expireAt, byte[] value) {
        key(RdbType.STRING, expireAt);
        elements++;
    }

    @Override
    public void hashListpack(byte[] key, long expireAt, byte[] lp) {
        key(RdbType.HASH, expireAt);
        elements += dev.ferry.store.Listpack.count(lp) / 2;
    }

    @Override
    public void zsetListpack(byte[] key, long expireAt, byte[] lp) {
        key(RdbType.ZSET, expireAt);
        elements += dev.ferry.store.Listpack.count(lp) / 2;
    }

    @Override
    public void setIntset(byte[] key, long expireAt, byte[] intset) {
        key(RdbType.SET, expireAt);
        elements += dev.ferry.store.Intset.length(intset);
    }

    @Override
    public void setListpack(byte[] key, long expireAt, byte[] lp) {
        key(RdbType.SET, expireAt);
        elements += dev.ferry.store.Listpack.count(lp);
    }

    @Override
    public void beginHash(byte[] key, long expireAt, long sizeHint) {
        key(RdbType.HASH, expireAt);
    }

    @Override
    public void hashField(byte[] field, byte[] value) {
        elements++;
    }

    @Override
    public void beginSet(byte[] key, long expireAt, long sizeHint) {
        key(RdbType.SET, expireAt);
    }

    @Override
    public void setMember(byte[] member) {
        elements++;
    }

    @Override
    public void beginZSet(byte[] key, long expireAt, long sizeHint) {
        key(RdbType.ZSET, expireAt);
    }

    @Override
    public void zsetMember(byte[] member, double score) {
        elements++;
    }

    @Override
    public void beginList(byte[] key, long expireAt) {
        key(RdbType.LIST, expireAt);
    }

    @Override
    public void listNode(byte[] lp) {
        elements += dev.ferry.store.Listpack.count(lp);
    }

    @Override
    public void listElement(byte[] element) {
        elements++;
    }

    @Override
    public void endValue() {}

    /** A redis-check-rdb-like summary. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        flushDb();
        sb.append("RDB version ").append(version).append(", ").append(keys).append(" keys");
        keysPerDb.forEach((d, n) -> sb.append(", db").append(d).append('=').append(n));
        sb.append(", ").append(expires).append(" with an expiry (").append(alreadyExpired).append(" already expired)");
        sb.append(", ").append(elements).append(" elements");
        if (emptySkipped > 0) sb.append(", ").append(emptySkipped).append(" empty keys skipped");
        if (functions > 0) sb.append(", ").append(functions).append(" function libraries");
        if (moduleAux > 0) sb.append(", ").append(moduleAux).append(" module AUX records");
        return sb.toString();
    }

    /**
     * Checks a file as redis-check-rdb does: reads it whole (every length, blob and the checksum) and prints the
     * counts, or the fault with its offset and key; exit status 0 when it reads, 1 when not.
     * {@code java -cp ferry.jar dev.ferry.rdb.RdbCounter dump.rdb}
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RdbCounter <file.rdb>");
            System.exit(2);
        }
        java.nio.file.Path file = java.nio.file.Path.of(args[0]);
        long t0 = System.nanoTime();
        try (RdbReader r = RdbReader.open(file)) {
            RdbCounter c = check(r);
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.println(c);
            System.out.printf("RDB looks OK: %d bytes in %.2f s (%.0f MB/s)%n", r.position(), sec, r.position() / 1e6 / Math.max(sec, 1e-9));
        } catch (RdbFormatException e) {
            System.out.println("RDB check failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
