package dev.ferry.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE as Redis 7.0 computes them (debug.c), so that a Ferry dataset and a
 * Redis dataset can be compared with one command, whatever order their tables hold the keys in.
 *
 * <p>Two SHA-1 operations on a 20-byte state: <em>xor</em> (state ^= SHA1(data): order-free, for
 * unordered elements and for the keys of a database) and <em>mix</em> (state = SHA1(state ^ SHA1(data)):
 * order-sensitive). A key's digest mixes the key, its value's object type as a big-endian 32-bit number
 * and the value's contents ({@link Value#digest}), then xors in "!!expire!!" when the key has a TTL. The
 * dataset digest mixes in each non-empty database's number and xors in its keys' digests (as data: the
 * SHA-1 of each 20-byte digest).
 */
public final class Digest {
    private static final byte[] EXPIRE = {'!', '!', 'e', 'x', 'p', 'i', 'r', 'e', '!', '!'};

    private final byte[] state = new byte[20];
    private final MessageDigest sha1;

    public Digest() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }

    /** A fresh state that shares {@code parent}'s SHA-1 engine (one engine per DEBUG DIGEST, not per key). */
    private Digest(Digest parent) {
        sha1 = parent.sha1;
    }

    /** A zeroed state sharing this one's SHA-1 engine: the digest of one element of a collection. */
    public Digest child() {
        return new Digest(this);
    }

    /** state ^= SHA1(data[off, off + len)). */
    public void xor(byte[] data, int off, int len) {
        sha1.update(data, off, len);
        byte[] h = sha1.digest();
        for (int i = 0; i < 20; i++) state[i] ^= h[i];
    }

    /** state = SHA1(state ^ SHA1(data[off, off + len))). */
    public void mix(byte[] data, int off, int len) {
        xor(data, off, len);
        sha1.update(state);
        System.arraycopy(sha1.digest(), 0, state, 0, 20);
    }

    public void mix(byte[] data) {
        mix(data, 0, data.length);
    }

    /** state ^= SHA1(other's state): adds a key's or an element's digest to an unordered whole's, as Redis does. */
    public void xor(Digest other) {
        xor(other.state, 0, 20);
    }

    private void mixInt(int v) {
        mix(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    /** Forty lowercase hex digits, as DEBUG DIGEST prints them. */
    public String hex() {
        StringBuilder s = new StringBuilder(40);
        for (byte b : state) s.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        return s.toString();
    }

    /** DEBUG DIGEST-VALUE of one entry (xorObjectDigest): its value and TTL, not its key; zeros for none. */
    public static Digest ofValue(Dict.Entry e) {
        Digest d = new Digest();
        if (e != null) d.addValue(e);
        return d;
    }

    /** DEBUG DIGEST (computeDatasetDigest): every key of every database, logically expired ones included. */
    public static Digest ofDataset(Keyspace keyspace) {
        Digest all = new Digest();
        for (int db = 0; db < keyspace.databases(); db++) {
            Dict table = keyspace.db(db).table();
            if (table.size() == 0) continue;
            all.mixInt(db);
            table.forEach(e -> {
                Digest key = new Digest(all);
                key.mix(e.key());
                key.addValue(e);
                all.xor(key);
            });
        }
        return all;
    }

    private void addValue(Dict.Entry e) {
        mixInt(e.value().objectType());
        e.value().digest(this);
        if (e.expireAt() != -1) xor(EXPIRE, 0, EXPIRE.length);
    }
}
