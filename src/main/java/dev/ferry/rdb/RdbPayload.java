package dev.ferry.rdb;

import dev.ferry.store.RdbType;

import java.io.IOException;

/**
 * DUMP / RESTORE payloads (createDumpPayload, verifyDumpPayload in Redis's cluster.c):
 * {@code type byte | value | RDB version (2 bytes LE) | CRC64 (8 bytes LE)}, the CRC over everything before it.
 * The value is read with the file reader's code ({@link RdbReader}).
 */
public final class RdbPayload {
    /** Bytes after the value: the version and the CRC. */
    public static final int FOOTER = 10;

    private RdbPayload() {}

    /**
     * Checks a payload's footer: long enough, a version no newer than {@code maxVersion} (Redis 7.0 takes up to
     * its own RDB 10), and a CRC64 matching the bytes before it. Throws with Redis's RESTORE wording.
     */
    public static void verify(byte[] payload, int maxVersion) throws RdbFormatException {
        int len = payload.length;
        if (len < FOOTER + 1) throw new RdbFormatException("DUMP payload version or checksum are wrong", -1, null);
        int version = (payload[len - 10] & 0xFF) | (payload[len - 9] & 0xFF) << 8;
        if (version > maxVersion) throw new RdbFormatException("DUMP payload version or checksum are wrong", len - 10, null);
        long stored = 0;
        for (int i = 7; i >= 0; i--) stored = stored << 8 | (payload[len - 8 + i] & 0xFF);
        if (Crc64.update(0, payload, 0, len - 8) != stored) {
            throw new RdbFormatException("DUMP payload version or checksum are wrong", len - 8, null);
        }
    }

    /** The RDB version a (verified) payload names. */
    public static int version(byte[] payload) {
        int len = payload.length;
        return (payload[len - 10] & 0xFF) | (payload[len - 9] & 0xFF) << 8;
    }

    /**
     * Verifies the payload (as {@link #verify}) and hands its single value to v as the value of {@code key}
     * (no expiry: RESTORE carries the TTL apart). Throws "Bad data format" faults for a corrupt value.
     */
    public static void read(byte[] payload, int maxVersion, byte[] key, RdbVisitor v) throws IOException {
        verify(payload, maxVersion);
        readVerified(payload, key, v);
    }

    /** The value of a payload {@link #verify} has accepted (RESTORE verifies first: its two faults have two replies). */
    public static void readVerified(byte[] payload, byte[] key, RdbVisitor v) throws IOException {
        RdbReader.of(payload, 0, payload.length - FOOTER).readDumpValue(key, v);
    }

    /** The footer of a payload whose type byte and value {@code out} (an in-memory writer) holds: version, CRC. */
    public static byte[] finish(RdbOutput out) throws IOException {
        out.writeByte(RdbType.RDB_VERSION & 0xFF);
        out.writeByte(RdbType.RDB_VERSION >>> 8);
        out.writeLongLe(out.crc());
        return out.toByteArray();
    }
}
