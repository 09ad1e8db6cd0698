package dev.ferry.rdb;

import dev.ferry.store.RdbType;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DataFormatException;

/**
 * Reads an RDB file (versions 1 to 12: Redis up to 7.4, Valkey 7 and 8) or one DUMP value and hands its
 * records to an {@link RdbVisitor} (rdbLoadRioWithLoadingCtx and rdbLoadObject in Redis's rdb.c).
 *
 * <p>The bytes come from a file, a stream or a payload that may be corrupt or hostile: every length is checked
 * against the bytes left (when the size is known) and against what a Java array can hold before anything is
 * allocated; every blob is validated before it is handed over ({@link Blobs}); every loop consumes bytes, so
 * a false count ends at the end of the data. A fault is an {@link RdbFormatException} with the offset and,
 * inside a key, the key. Types Ferry cannot hold (streams, modules, Redis 7.4 hashes with field TTLs) are
 * refused by name, never dropped.
 *
 * <p>{@link #position()} is the bytes consumed, for progress. Not thread-safe.
 */
public final class RdbReader implements Closeable {
    /** What a sizeHint may claim when the size of the source is unknown. */
    private static final long HINT_CAP = 1 << 20;
    private static final long PROGRESS_EVERY = 16L << 20;
    private static final String MODULE_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final RdbInput in;
    private final Closeable source;
    private final Blobs blobs = new Blobs();
    private byte[] scratch = new byte[256];
    private boolean verifyChecksum = true;
    private int version;
    private final RdbAux aux = new RdbAux();

    private RdbReader(RdbInput in, Closeable source) {
        this.in = in;
        this.source = source;
    }

    /** A reader of a file (its size known, so every length is checked against the bytes left). */
    public static RdbReader open(Path file) throws IOException {
        InputStream s = Files.newInputStream(file);
        return new RdbReader(RdbInput.of(s, Files.size(file)), s);
    }

    /** A reader of a stream of {@code total} bytes, -1 when unknown (a replication transfer with an EOF mark). */
    public static RdbReader of(InputStream s, long total) {
        return new RdbReader(RdbInput.of(s, total), s);
    }

    /** A reader of bytes in memory. */
    public static RdbReader of(byte[] b) {
        return of(b, 0, b.length);
    }

    public static RdbReader of(byte[] b, int off, int len) {
        return new RdbReader(RdbInput.of(b, off, len), null);
    }

    /**
     * Whether to compare the trailer with the CRC64 of the data (rdbchecksum; a stored 0 is never compared); when
     * not, the CRC is not computed either. Set before {@link #read}.
     */
    public RdbReader verifyChecksum(boolean verify) {
        this.verifyChecksum = verify;
        in.crcOn = verify; // nothing to compare: no CRC to compute either
        return this;
    }

    /** Bytes consumed so far. */
    public long position() {
        return in.position();
    }

    /** Size of the source, -1 when unknown. */
    public long total() {
        return in.total();
    }

    /** The AUX fields a loader acts on (replication id and offset, stream DB, redis-ver...), as read so far. */
    public RdbAux aux() {
        return aux;
    }

    /** The version in the header read. */
    public int version() {
        return version;
    }

    @Override
    public void close() throws IOException {
        if (source != null) source.close();
    }

    /** Reads the whole file: header, records, EOF and trailer. */
    public void read(RdbVisitor v) throws IOException {
        readHeader();
        v.header(version);
        long expireAt = -1;
        long nextProgress = PROGRESS_EVERY;
        while (true) {
            if (in.position() >= nextProgress) {
                v.progress(in.position(), in.total());
                nextProgress = in.position() + PROGRESS_EVERY;
            }
            long at = in.position();
            int type = in.readByte();
            switch (type) {
                case RdbType.OPCODE_EXPIRETIME -> expireAt = (long) (int) in.readLe(4) * 1000L;
                case RdbType.OPCODE_EXPIRETIME_MS -> expireAt = in.readLe(8); // native order before RDB 9: LE in practice
                case RdbType.OPCODE_FREQ -> v.freq(in.readByte());
                case RdbType.OPCODE_IDLE -> v.idle(readLength());
                case RdbType.OPCODE_SELECTDB -> v.selectDb(readLength());
                case RdbType.OPCODE_RESIZEDB -> {
                    long keys = readLength();
                    long expires = readLength();
                    v.resizeDb(keys, expires);
                }
                case RdbType.OPCODE_SLOT_INFO -> {
                    long slot = readLength();
                    long keys = readLength();
                    long expires = readLength();
                    v.slotInfo(slot, keys, expires);
                }
                case RdbType.OPCODE_AUX -> {
                    byte[] key = readString("AUX key");
                    byte[] value = readString("AUX value");
                    aux.accept(key, value);
                    v.aux(key, value);
                }
                case RdbType.OPCODE_MODULE_AUX -> readModuleAux(v);
                case RdbType.OPCODE_FUNCTION2 -> v.function(readString("function library"));
                case RdbType.OPCODE_FUNCTION_PRE_GA -> v.function(readPreGaFunction());
                case RdbType.OPCODE_EOF -> {
                    v.endOfFile(readTrailer());
                    return;
                }
                default -> {
                    readKeyValue(type, at, expireAt, v);
                    expireAt = -1;
                }
            }
        }
    }

    /**
     * Reads the header and the AUX fields that follow it, and stops before the first other record: what an
     * archive needs to describe a file ({@link #version}, {@link #aux}) without reading its keys.
     */
    public void readHeaderAux() throws IOException {
        readHeader();
        while (in.total() < 0 || in.position() < in.total()) {
            if (in.peekByte() != RdbType.OPCODE_AUX) return;
            in.readByte();
            aux.accept(readString("AUX key"), readString("AUX value"));
        }
    }

    private void readHeader() throws IOException {
        byte[] magic = new byte[9];
        in.readFully(magic, 0, 9);
        if (!"REDIS".equals(new String(magic, 0, 5, StandardCharsets.ISO_8859_1))) {
            throw in.error("Wrong signature trying to load DB from file", 0);
        }
        int ver = 0;
        for (int i = 5; i < 9 && magic[i] >= '0' && magic[i] <= '9'; i++) ver = ver * 10 + (magic[i] - '0'); // atoi
        if (ver < 1 || ver > RdbType.RDB_VERSION_MAX_READ) throw in.error("Can't handle RDB format version " + ver, 5);
        version = ver;
    }

    /** After EOF: the CRC64 trailer (RDB 5 and later), compared unless it is 0 or checking is off. */
    private long readTrailer() throws IOException {
        if (version < 5) return 0;
        long computed = in.crc();
        long stored = in.readLe(8);
        if (stored != 0 && verifyChecksum && stored != computed) {
            // rdbLoadRioWithLoadingCtx's words: "expected" is the CRC of the data, "got" the trailer's
            throw in.error(String.format("Wrong RDB checksum expected: (%x) got (%x)", computed, stored), in.position() - 8);
        }
        return stored;
    }

    // ---- keys and values ----

    private void readKeyValue(int type, long at, long expireAt, RdbVisitor v) throws IOException {
        if (!isValueType(type)) throw in.error("Unknown RDB encoding type " + type, at);
        byte[] key = readString("key");
        in.key = key;
        readValue(type, key, expireAt, v);
        in.key = null;
    }

    private static boolean isValueType(int type) {
        return type >= 0 && type <= RdbType.HASH_LISTPACK_EX && type != 8;
    }

    /**
     * Reads one value of the given type for {@code key} (rdbLoadObject) and hands it to v. Used for each key
     * of a file and for the single value of a DUMP payload.
     */
    void readValue(int type, byte[] key, long expireAt, RdbVisitor v) throws IOException {
        in.key = key;
        switch (type) {
            case RdbType.STRING -> v.string(key, expireAt, readString("string value"));
            case RdbType.LIST -> {
                long n = readCount(1);
                if (n == 0) {
                    v.emptyKeySkipped(key, type);
                    return;
                }
                v.beginList(key, expireAt);
                for (long i = 0; i < n; i++) v.listElement(readString("list element"));
                v.endValue();
            }
            case RdbType.SET -> {
                long n = readCount(1);
                if (n == 0) {
                    v.emptyKeySkipped(key, type);
                    return;
                }
                v.beginSet(key, expireAt, hint(n));
                for (long i = 0; i < n; i++) v.setMember(readString("set member"));
                v.endValue();
            }
            case RdbType.ZSET, RdbType.ZSET_2 -> {
                long n = readCount(type == RdbType.ZSET ? 2 : 9);
                if (n == 0) {
                    v.emptyKeySkipped(key, type);
                    return;
                }
                v.beginZSet(key, expireAt, hint(n));
                for (long i = 0; i < n; i++) {
                    byte[] member = readString("sorted set member");
                    long at = in.position();
                    double score = type == RdbType.ZSET ? readTextDouble() : Double.longBitsToDouble(in.readLe(8));
                    if (Double.isNaN(score)) throw in.error("Zset with NAN score detected", at);
                    v.zsetMember(member, score);
                }
                v.endValue();
            }
            case RdbType.HASH -> {
                long n = readCount(2);
                if (n == 0) {
                    v.emptyKeySkipped(key, type);
                    return;
                }
                v.beginHash(key, expireAt, hint(n));
                for (long i = 0; i < n; i++) {
                    byte[] field = readString("hash field");
                    v.hashField(field, readString("hash value"));
                }
                v.endValue();
            }
            case RdbType.HASH_ZIPMAP -> {
                long at = in.position();
                byte[] lp = blobs.zipmapToListpack(readString("zipmap"));
                if (lp == null) throw in.error("Zipmap integrity check failed: " + blobs.lastError, at);
                if (blobs.lastCount() == 0) v.emptyKeySkipped(key, type);
                else v.hashListpack(key, expireAt, lp);
            }
            case RdbType.LIST_ZIPLIST -> {
                byte[] lp = ziplist(1, false);
                if (blobs.lastCount() == 0) {
                    v.emptyKeySkipped(key, type);
                    return;
                }
                v.beginList(key, expireAt);
                v.listNode(lp);
                v.endValue();
            }
            case RdbType.SET_INTSET -> {
                long at = in.position();
                byte[] is = readString("intset");
                String why = Blobs.checkIntset(is);
                if (why != null) throw in.error("Intset integrity check failed: " + why, at);
                v.setIntset(key, expireAt, is);
            }
            case RdbType.ZSET_ZIPLIST, RdbType.HASH_ZIPLIST -> {
                long at = in.position();
                byte[] lp = ziplist(2, true);
                if (type == RdbType.ZSET_ZIPLIST) {
                    String why = Blobs.checkZsetScores(lp);
                    if (why != null) throw in.error(why, at);
                }
                if (blobs.lastCount() == 0) v.emptyKeySkipped(key, type);
                else if (type == RdbType.ZSET_ZIPLIST) v.zsetListpack(key, expireAt, lp);
                else v.hashListpack(key, expireAt, lp);
            }
            case RdbType.LIST_QUICKLIST, RdbType.LIST_QUICKLIST_2 -> readQuicklist(type, key, expireAt, v);
            case RdbType.HASH_LISTPACK, RdbType.ZSET_LISTPACK, RdbType.SET_LISTPACK -> {
                long at = in.position();
                byte[] lp = readString("listpack");
                String why = blobs.checkListpack(lp, type == RdbType.SET_LISTPACK ? 1 : 2, true);
                if (why == null && type == RdbType.ZSET_LISTPACK) why = Blobs.checkZsetScores(lp);
                if (why != null) throw in.error(why, at);
                if (blobs.lastCount() == 0) v.emptyKeySkipped(key, type);
                else if (type == RdbType.HASH_LISTPACK) v.hashListpack(key, expireAt, lp);
                else if (type == RdbType.ZSET_LISTPACK) v.zsetListpack(key, expireAt, lp);
                else v.setListpack(key, expireAt, lp);
            }
            case RdbType.MODULE_PRE_GA, RdbType.MODULE_2 -> {
                long id = readLength();
                throw in.error("Ferry cannot load module values: RDB type " + type + " of module type '" + moduleName(id) + "'");
            }
            case RdbType.STREAM_LISTPACKS, RdbType.STREAM_LISTPACKS_2, RdbType.STREAM_LISTPACKS_3 ->
                throw in.error("Ferry cannot load streams: RDB type " + type);
            case RdbType.HASH_METADATA_PRE_GA, RdbType.HASH_LISTPACK_EX_PRE_GA, RdbType.HASH_METADATA, RdbType.HASH_LISTPACK_EX ->
                throw in.error("Ferry cannot load hashes with field expiration (Redis 7.4): RDB type " + type);
            default -> throw in.error("Unknown RDB encoding type " + type);
        }
    }

    private byte[] ziplist(int group, boolean unique) throws IOException {
        long at = in.position();
        byte[] lp = blobs.ziplistToListpack(readString("ziplist"), group, unique);
        if (lp == null) throw in.error("Ziplist integrity check failed: " + blobs.lastError, at);
        return lp;
    }

    /**
     * Quicklist of ziplists (14) or of containers and listpacks (18). Nodes without elements are skipped, as
     * Redis does; a list without any is an empty key.
     */
    private void readQuicklist(int type, byte[] key, long expireAt, RdbVisitor v) throws IOException {
        long nodes = readCount(type == RdbType.LIST_QUICKLIST ? 1 : 2);
        boolean begun = false;
        for (long i = 0; i < nodes; i++) {
            int container = RdbType.QUICKLIST_NODE_PACKED;
            if (type == RdbType.LIST_QUICKLIST_2) {
                long at = in.position();
                long c = readLength();
                if (c != RdbType.QUICKLIST_NODE_PLAIN && c != RdbType.QUICKLIST_NODE_PACKED) {
                    throw in.error("Quicklist integrity check failed: unknown node container " + c, at);
                }
                container = (int) c;
            }
            byte[] node;
            if (container == RdbType.QUICKLIST_NODE_PLAIN) {
                node = readString("quicklist plain node");
            } else if (type == RdbType.LIST_QUICKLIST) {
                node = ziplist(1, false);
                if (blobs.lastCount() == 0) continue;
            } else {
                long at = in.position();
                node = readString("quicklist node");
                String why = blobs.checkListpack(node, 1, false);
                if (why != null) throw in.error("Quicklist node " + why, at);
                if (blobs.lastCount() == 0) continue;
            }
            if (!begun) {
                v.beginList(key, expireAt);
                begun = true;
            }
            if (container == RdbType.QUICKLIST_NODE_PLAIN) v.listElement(node);
            else v.listNode(node);
        }
        if (begun) v.endValue();
        else v.emptyKeySkipped(key, type);
    }

    // ---- opcodes other than keys ----

    /** MODULE_AUX, skipped by the module opcode rules (rdbLoadCheckModuleValue) and then handed over. */
    private void readModuleAux(RdbVisitor v) throws IOException {
        long id = readLength();
        long at = in.position();
        long whenOpcode = readLength();
        if (whenOpcode != RdbType.MODULE_OPCODE_UINT) throw in.error("Module AUX data with a bad when_opcode " + whenOpcode, at);
        long when = readLength();
        String name = moduleName(id);
        while (true) {
            at = in.position();
            long opcode = readLength();
            if (opcode == RdbType.MODULE_OPCODE_EOF) break;
            if (opcode == RdbType.MODULE_OPCODE_SINT || opcode == RdbType.MODULE_OPCODE_UINT) readLength();
            else if (opcode == RdbType.MODULE_OPCODE_FLOAT) in.skip(4);
            else if (opcode == RdbType.MODULE_OPCODE_DOUBLE) in.skip(8);
            else if (opcode == RdbType.MODULE_OPCODE_STRING) skipString();
            else throw in.error("Unknown module opcode " + opcode + " in the AUX data of module '" + name + "'", at);
        }
        v.moduleAux(name, id, (int) when);
    }

    /** The Redis 7.0-rc FUNCTION record, rebuilt as the FUNCTION2 source rdbFunctionLoad makes of it. */
    private byte[] readPreGaFunction() throws IOException {
        byte[] name = readString("function library name");
        byte[] engine = readString("function engine name");
        long hasDesc = readLength();
        if (hasDesc != 0) readString("function description");
        byte[] code = readString("function code");
        byte[] head = ("#!" + new String(engine, StandardCharsets.ISO_8859_1) + " name="
            + new String(name, StandardCharsets.ISO_8859_1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[head.length + code.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(code, 0, out, head.length, code.length);
        return out;
    }

    /** moduleTypeNameByID: the 9 characters of 6 bits above the 10-bit encoding version. */
    static String moduleName(long id) {
        char[] name = new char[9];
        long bits = id >>> 10;
        for (int j = 8; j >= 0; j--) {
            name[j] = MODULE_CHARSET.charAt((int) (bits & 63));
            bits >>>= 6;
        }
        return new String(name);
    }

    // ---- primitives ----

    /** A length (rdbLoadLen): 6 bits, 14 bits big-endian, 0x80 + u32be, 0x81 + u64be (as unsigned, in a long). */
    long readLength() throws IOException {
        long at = in.position();
        int b = in.readByte();
        switch (b >>> 6) {
            case RdbType.LEN_6BIT:
                return b & 0x3F;
            case RdbType.LEN_14BIT:
                return (b & 0x3F) << 8 | in.readByte();
            case RdbType.LEN_ENCVAL:
                throw in.error("Unexpected string encoding " + (b & 0x3F) + " where a length belongs", at);
            default:
                if (b == RdbType.LEN_32BIT) return in.readBe(4);
                if (b == RdbType.LEN_64BIT) return in.readBe(8);
                throw in.error("Unknown length encoding " + b + " in rdbLoadLen()", at);
        }
    }

    /**
     * A collection's element count, refused when it cannot be there: when the size is known, every element
     * takes at least {@code minBytes}. A length of 2^63 or more reads as negative and is refused too.
     */
    private long readCount(int minBytes) throws IOException {
        long at = in.position();
        long n = readLength();
        if (n < 0 || n > in.remaining() / minBytes) {
            throw in.error("Count of " + Long.toUnsignedString(n) + " elements exceeds the " + in.remaining() + " bytes left", at);
        }
        return n;
    }

    /** What a count may be handed as a sizing hint: checked already when the size is known, capped when not. */
    private long hint(long n) {
        return in.total() >= 0 ? n : Math.min(n, HINT_CAP);
    }

    /** A string (rdbGenericLoadStringObject): plain, INT8/16/32 as decimal text, or LZF. */
    byte[] readString(String what) throws IOException {
        long at = in.position();
        int b = in.readByte();
        long len;
        switch (b >>> 6) {
            case RdbType.LEN_6BIT -> len = b & 0x3F;
            case RdbType.LEN_14BIT -> len = (b & 0x3F) << 8 | in.readByte();
            case RdbType.LEN_ENCVAL -> {
                int enc = b & 0x3F;
                switch (enc) {
                    case RdbType.ENC_INT8:
                        return Canonical.text((byte) in.readByte());
                    case RdbType.ENC_INT16:
                        return Canonical.text((short) in.readLe(2));
                    case RdbType.ENC_INT32:
                        return Canonical.text((int) in.readLe(4));
                    case RdbType.ENC_LZF:
                        return readLzf(what);
                    default:
                        throw in.error("Unknown RDB string encoding type " + enc, at);
                }
            }
            default -> {
                if (b == RdbType.LEN_32BIT) len = in.readBe(4);
                else if (b == RdbType.LEN_64BIT) len = in.readBe(8);
                else throw in.error("Unknown length encoding " + b + " in rdbLoadLen()", at);
            }
        }
        return in.readBytes(len, what);
    }

    /** An LZF string: compressed length, original length, data; lengths checked before the allocations. */
    private byte[] readLzf(String what) throws IOException {
        long at = in.position();
        long clen = readLength();
        long len = readLength();
        if (clen < 0 || clen > in.remaining()) throw in.error("LZF " + what + " of " + Long.toUnsignedString(clen) + " compressed bytes exceeds the bytes left", at);
        if (len < 0 || len > Integer.MAX_VALUE - 8 || len > clen * Lzf.MAX_RATIO) {
            throw in.error("LZF " + what + " claims " + Long.toUnsignedString(len) + " bytes from " + clen + " compressed bytes", at);
        }
        byte[] c;
        if (clen <= 1 << 20) {
            if (scratch.length < clen) scratch = new byte[(int) Math.max(clen, scratch.length * 2L)];
            in.readFully(scratch, 0, (int) clen);
            c = scratch;
        } else {
            c = in.readBytes(clen, what);
        }
        byte[] out = new byte[(int) len];
        try {
            Lzf.decompress(c, 0, (int) clen, out, 0, (int) len);
        } catch (DataFormatException e) {
            throw in.error("Invalid LZF compressed string: " + e.getMessage(), at);
        }
        return out;
    }

    /** Skips a string without keeping it (module AUX data). */
    private void skipString() throws IOException {
        long at = in.position();
        int b = in.readByte();
        switch (b >>> 6) {
            case RdbType.LEN_6BIT -> in.skip(b & 0x3F);
            case RdbType.LEN_14BIT -> in.skip((b & 0x3F) << 8 | in.readByte());
            case RdbType.LEN_ENCVAL -> {
                int enc = b & 0x3F;
                if (enc == RdbType.ENC_INT8) in.skip(1);
                else if (enc == RdbType.ENC_INT16) in.skip(2);
                else if (enc == RdbType.ENC_INT32) in.skip(4);
                else if (enc == RdbType.ENC_LZF) {
                    long clen = readLength();
                    readLength();
                    if (clen < 0) throw in.error("LZF string too long", at);
                    in.skip(clen);
                } else throw in.error("Unknown RDB string encoding type " + enc, at);
            }
            default -> {
                long len;
                if (b == RdbType.LEN_32BIT) len = in.readBe(4);
                else if (b == RdbType.LEN_64BIT) len = in.readBe(8);
                else throw in.error("Unknown length encoding " + b + " in rdbLoadLen()", at);
                if (len < 0) throw in.error("String too long", at);
                in.skip(len);
            }
        }
    }

    /** A text double (rdbLoadDoubleValue, type 3 scores): length byte, 253/254/255 = nan/+inf/-inf, else text. */
    private double readTextDouble() throws IOException {
        long at = in.position();
        int len = in.readByte();
        if (len == RdbType.DOUBLE_NAN) return Double.NaN;
        if (len == RdbType.DOUBLE_POS_INF) return Double.POSITIVE_INFINITY;
        if (len == RdbType.DOUBLE_NEG_INF) return Double.NEGATIVE_INFINITY;
        byte[] b = scratch.length >= len ? scratch : new byte[len];
        in.readFully(b, 0, len);
        // the legacy (RDB < 8) score format: a String per score is acceptable here
        String s = new String(b, 0, len, StandardCharsets.ISO_8859_1).trim();
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            case "nan", "-nan":
                return Double.NaN;
            default:
                break;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw in.error("Invalid double score '" + s + "'", at);
        }
    }

    // ---- DUMP payloads ----

    /** Reads the single value of a DUMP payload body (type byte and value), then requires its end. */
    void readDumpValue(byte[] key, RdbVisitor v) throws IOException {
        long at = in.position();
        int type = in.readByte();
        if (!isValueType(type)) throw in.error("Bad data format: unknown RDB type " + type, at);
        readValue(type, key, -1, v);
        in.key = null;
        if (!in.atEnd()) throw in.error("Bad data format: bytes after the value");
    }
}
