package io.jgrok.sweep;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The "<run> done" line says when a run grokked, or that it did not, without "groks at never". */
class SweepResultLineTest {
    @Test
    void grokkedAndNotGrokkedRunsAreToldApart() {
        assertEquals("groks at 384 (test acc >= 99%) / 354 (test loss < 0.1)", SweepRunner.grokWords(384L, 354L));
        assertEquals("groks at 384 (test acc >= 99%) / never (test loss < 0.1)", SweepRunner.grokWords(384L, null));
        assertEquals("did not grok (never test acc >= 99% or test loss < 0.1)", SweepRunner.grokWords(null, null));
        assertEquals("did not grok (never test acc >= 99%; test loss < 0.1 first at epoch 700)",
                SweepRunner.grokWords(null, 700L));
    }
}
