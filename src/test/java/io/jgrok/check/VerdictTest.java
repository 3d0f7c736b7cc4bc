package io.jgrok.check;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparisons the shared device checks make: each fails when it should, and the worst one is remembered. */
class VerdictTest {

    @Test
    void withinRemembersTheWorstComparisonRelativeToItsBound() {
        Verdict v = new Verdict();
        v.within("a", 1e-5, 1e-4).within("b", 5e-7, 1e-6).within("c", 0, 1);
        assertEquals(3, v.comparisons());
        assertEquals("b", v.worstWhat());
        assertEquals(5e-7, v.worstError());
        assertEquals(1e-6, v.worstBound());
    }

    @Test
    void eachComparisonFailsWhenItShould() {
        Verdict.CheckFailure f = assertThrows(Verdict.CheckFailure.class, () -> new Verdict().within("logits", 3e-4,
                2e-4));
        assertTrue(f.getMessage().startsWith("logits: error 0.000300 exceeds its bound 0.000200"), f.getMessage());
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().within("nan", Double.NaN, 1));
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().within("at the bound", 1, 1));
        new Verdict().atMost("at the bound", 1, 1);
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().atMost("above", 1.5, 1));
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().close("x", 1.0, 1.1, 0.05));
        new Verdict().close("x", 1.0, 1.04, 0.05);
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().isTrue("cond", false));
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().equal("n", 3, 4));
        new Verdict().equal("NaN equals NaN, as in JUnit", Double.NaN, Double.NaN);
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().equal("signed zero", 0.0, -0.0));
        Verdict.CheckFailure bits = assertThrows(Verdict.CheckFailure.class, () -> new Verdict().same("w",
                new float[] {1, 2, 3}, new float[] {1, 2, Math.nextUp(3f)}));
        assertTrue(bits.getMessage().contains("first at element 2"), bits.getMessage());
        assertThrows(Verdict.CheckFailure.class, () -> new Verdict().same("i", new int[] {1}, new int[] {2}));
    }

    @Test
    void failsExpectsTheNamedException() {
        Verdict v = new Verdict();
        IllegalStateException e = v.fails("throws", IllegalStateException.class, () -> {
            throw new IllegalStateException("x");
        });
        assertEquals("x", e.getMessage());
        assertThrows(Verdict.CheckFailure.class, () -> v.fails("nothing thrown", IllegalStateException.class,
                () -> { }));
        assertThrows(Verdict.CheckFailure.class, () -> v.fails("another exception", IllegalStateException.class,
                () -> {
                    throw new IllegalArgumentException("y");
                }));
    }

    @Test
    void aFailureIsTheWorstComparison() {
        Verdict v = new Verdict();
        v.within("fine", 1e-9, 1e-6);
        assertThrows(Verdict.CheckFailure.class, () -> v.within("bad", 2, 1));
        assertEquals("bad", v.worstWhat());
        assertEquals(2.0, v.worstError());
        assertEquals(2, v.comparisons());
    }
}
