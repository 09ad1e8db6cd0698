package dev.ferry.rdb;

import java.nio.charset.StandardCharsets;

/**
 * An RDB file, stream or DUMP payload that cannot be read: corrupt, truncated, of a version or type Ferry does
 * not take. Carries the byte offset where reading stopped and, when it stopped inside a key, the key, so that
 * a loader's log line points at the fault (as Redis's rdbReportCorruptRDB names the offset).
 */
public class RdbFormatException extends java.io.IOException {
    private final long offset;
    private final byte[] key;

    public RdbFormatException(String reason, long offset, byte[] key) {
        super(message(reason, offset, key));
        this.offset = offset;
        this.key = key;
    }

    public RdbFormatException(String reason, long offset, byte[] key, Throwable cause) {
        super(message(reason, offset, key), cause);
        this.offset = offset;
        this.key = key;
    }

    /** The offset from the start of the file (or payload) of the byte where reading stopped; -1 if unknown. */
    public long offset() {
        return offset;
    }

    /** The key being read when it stopped, or null when it stopped outside a key. */
    public byte[] key() {
        return key;
    }

    private static String message(String reason, long offset, byte[] key) {
        StringBuilder sb = new StringBuilder(reason);
        if (offset >= 0) sb.append(" (at offset ").append(offset);
        if (key != null) sb.append(offset >= 0 ? ", " : " (").append("key '").append(printable(key)).append('\'');
        if (offset >= 0 || key != null) sb.append(')');
        return sb.toString();
    }

    /** The key with bytes outside printable ASCII escaped as \xNN, at most 128 bytes of it. */
    public static String printable(byte[] key) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(key.length, 128);
        for (int i = 0; i < n; i++) {
            int b = key[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\\' && b != '\'') sb.append((char) b);
            else sb.append(String.format("\\x%02x", b));
        }
        if (key.length > n) sb.append("...");
        return sb.toString();
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
