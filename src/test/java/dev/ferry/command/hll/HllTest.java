package dev.ferry.command.hll;

import dev.ferry.store.StringValue;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paths of {@link Hll} the oracle tests cannot reach through commands: a register above the sparse VAL
 * maximum (32), which PFADD meets only for a hash with a run of more than 31 zeros, promotes the HLL to
 * dense, as hllSparseSet's promote label does.
 */
class HllTest {
    @Test
    void emptyIsOneXzero() {
        byte[] v = Hll.empty().toValue().toByteArray();
        assertEquals(18, v.length);
        assertArrayEquals(new byte[] {'H', 'Y', 'L', 'L', 1, 0, 0, 0}, java.util.Arrays.copyOf(v, 8));
        assertEquals(0x7f, v[16] & 0xff);
        assertEquals(0xff, v[17] & 0xff);
        assertEquals(0, Hll.count(Hll.empty().toValue()));
    }

    @Test
    void firstRegisterSplitsTheXzero() {
        Hll h = Hll.empty();
        assertEquals(1, h.set(0, 3, 3000));
        byte[] v = h.toValue().toByteArray();
        // VAL(3, 1) then XZERO(16383), and the cache marked stale
        assertEquals(19, v.length);
        assertEquals(0x80 | (2 << 2), v[16] & 0xff);
        assertEquals(0x7f, v[17] & 0xff);
        assertEquals(0xfe, v[18] & 0xff);
        assertEquals(0x80, v[15] & 0xff);
        assertEquals(0, h.set(0, 2, 3000));
    }

    @Test
    void aRegisterAboveTheSparseMaximumPromotes() {
        Hll h = Hll.empty();
        h.set(100, 5, 3000);
        assertEquals(1, h.set(7, 40, 3000));
        StringValue v = h.toValue();
        assertEquals(Hll.DENSE_SIZE, v.length());
        assertEquals(Hll.DENSE, Hll.encoding(v));
        assertTrue(Hll.isHll(v));
        assertEquals(40, Hll.denseGet(v.array(), 7));
        assertEquals(5, Hll.denseGet(v.array(), 100));
        assertEquals(0, Hll.denseGet(v.array(), 16383));
        byte[] max = new byte[Hll.REGISTERS];
        assertTrue(Hll.merge(max, v));
        assertEquals(40, max[7]);
        assertEquals(2, Hll.countRaw(max));
        assertEquals(2, Hll.count(v));
    }

    @Test
    void lastDenseRegister() {
        Hll h = Hll.empty();
        assertTrue(h.sparseToDense());
        h.set(16383, 63, 3000);
        h.set(16382, 1, 3000);
        StringValue v = h.toValue();
        assertEquals(63, Hll.denseGet(v.array(), 16383));
        assertEquals(1, Hll.denseGet(v.array(), 16382));
        assertEquals(0, Hll.denseGet(v.array(), 16381));
        assertFalse(Hll.isHll(StringValue.ofRaw(java.util.Arrays.copyOf(v.toByteArray(), Hll.DENSE_SIZE - 1))));
    }
}
