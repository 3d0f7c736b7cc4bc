package io.jgrok.sweep;

import io.jgrok.io.History;

/**
 * When a run grokked: the first epoch whose test accuracy is at least {@link #TEST_ACCURACY}, and the first whose
 * test loss is below {@link #TEST_LOSS} (each null if never reached). History entry e is the model after e
 * optimiser steps, so the epoch is also the number of steps it took.
 */
public record GrokEpochs(Long accuracy, Long loss) {
    public static final double TEST_ACCURACY = 0.99;
    public static final double TEST_LOSS = 0.1;

    public static GrokEpochs of(History h) {
        Long acc = null;
        Long loss = null;
        for (int i = 0; i < h.size() && (acc == null || loss == null); i++) {
            if (acc == null && h.testAcc(i) >= TEST_ACCURACY) {
                acc = h.epoch(i);
            }
            if (loss == null && h.testLoss(i) < TEST_LOSS) {
                loss = h.epoch(i);
            }
        }
        return new GrokEpochs(acc, loss);
    }
}
