package io.jgrok.figures;

import io.jgrok.config.LossFunction;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The collapse figure's caption says what the two curves mean for the run's own loss: with the float64 softmax
 * cross-entropy the float64 curve counts the examples whose loss and correct-class gradient are exactly zero in this
 * run; a StableMax run's loss does not collapse, so both curves only say where a softmax would have.
 */
class CollapseCaptionTest {
    @Test
    void theCaptionFollowsTheRunsLoss() {
        String softmax = CollapseFigures.caption(LossFunction.SOFTMAX, "float32: never; float64: never");
        assertTrue(softmax.contains("float64 curve counts the examples whose loss and correct-class gradient are "
                + "exactly zero in this run"), softmax);
        assertTrue(softmax.contains("float32 curve shows where a float32 softmax would have stopped"), softmax);
        assertTrue(softmax.endsWith("This run: float32: never; float64: never."), softmax);
        String stable = CollapseFigures.caption(LossFunction.STABLEMAX, "float32: never; float64: never");
        assertTrue(stable.contains("trained with StableMax"), stable);
        assertTrue(stable.contains("both curves show where a softmax"), stable);
        assertFalse(stable.contains("exactly zero in this run"), stable);
        assertFalse(stable.contains("(stablemax)"), stable);
    }
}
