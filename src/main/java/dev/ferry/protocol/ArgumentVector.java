package dev.ferry.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The complete arguments of the multibulk command being received. A "*n" count is only a claim: the
 * vector grows as arguments arrive, never to the count announced. A command of more than {@link #PIECE}
 * arguments is kept in pieces until it is complete, so a multibulk flood (millions of empty arguments
 * that never complete) never makes one huge array that must be zeroed and copied as it doubles.
 */
final class ArgumentVector {

    /**
     * Slots of one piece. 4-8 MB a piece: quick to zero, and large enough for G1 to place it as a
     * humongous object, which young collections never copy (64K-slot pieces were copied by them: 350 ms
     * pauses during bench/attack.sh flood).
     */
    static final int PIECE = 1024 * 1024;

    /**
     * What one argument costs beyond its bytes, counted toward the query buffer limit so that empty
     * arguments count too: the array's 16-byte header and padding, its reference in the vector and the
     * vector's growth slack. (Its protocol header, "$0\r\n\r\n", is 6 bytes; the JVM's cost is larger.)
     */
    static final int ARG_OVERHEAD = 32;

    /** The piece being filled and the arguments in it. */
    private byte[][] piece;
    private int inPiece;
    /** Full pieces before the current one, or null, and the arguments in them. */
    private List<byte[][]> fullPieces;
    private int inFullPieces;
    private int expected;
    /** Sum of the lengths of the arguments held. */
    private long bytes;

    /** Forgets what was held and expects {@code count} arguments. Allocates nothing. */
    void start(int count) {
        piece = null;
        inPiece = 0;
        fullPieces = null;
        inFullPieces = 0;
        bytes = 0;
        expected = count;
    }

    /** Makes room for the next argument; if the allocation fails, nothing changed. */
    void reserveSlot() {
        if (piece == null) {
            piece = new byte[Math.min(expected, 16)][];
        } else if (inPiece == piece.length) {
            if (inPiece == PIECE) {
                byte[][] next = new byte[Math.min(PIECE, expected - size())][];
                if (fullPieces == null) fullPieces = new ArrayList<>();
                fullPieces.add(piece);
                inFullPieces += inPiece;
                piece = next;
                inPiece = 0;
            } else {
                piece = Arrays.copyOf(piece, (int) Math.min(Math.min(expected, PIECE), piece.length * 2L));
            }
        }
    }

    /** Adds an argument into the slot {@link #reserveSlot} made. */
    void add(byte[] arg) {
        piece[inPiece++] = arg;
        bytes += arg.length;
    }

    int size() {
        return inFullPieces + inPiece;
    }

    boolean complete() {
        return size() == expected;
    }

    /** Bytes of the arguments held. */
    long bytes() {
        return bytes;
    }

    /**
     * What counts toward client-query-buffer-limit once {@code moreArgs} more arguments of
     * {@code moreBytes} bytes in all are held too: every argument's bytes plus ARG_OVERHEAD.
     */
    long heldWith(long moreBytes, int moreArgs) {
        return bytes + moreBytes + (long) (size() + moreArgs) * ARG_OVERHEAD;
    }

    /** The complete command, in one array; the vector is empty again. */
    byte[][] take() {
        byte[][] cmd = piece;
        if (fullPieces != null) {
            cmd = new byte[expected][];
            int off = 0;
            for (byte[][] full : fullPieces) {
                System.arraycopy(full, 0, cmd, off, full.length);
                off += full.length;
            }
            System.arraycopy(piece, 0, cmd, off, inPiece);
        }
        start(0);
        return cmd;
    }
}
