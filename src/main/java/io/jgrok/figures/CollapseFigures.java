package io.jgrok.figures;

import io.jgrok.config.LossFunction;
import io.jgrok.figures.TrainingFigures.TimeSeries;
import io.jgrok.io.History;
import org.knowm.xchart.XYChart;

import java.awt.geom.Rectangle2D;

/**
 * Softmax collapse over training (Prieto et al. 2025): the share of training examples whose softmax has collapsed in
 * float32 and in float64, beside the losses, with the phase boundaries.
 */
final class CollapseFigures {
    static final String NAME = "softmax_collapse";

    private CollapseFigures() {
    }

    /**
     * The caption: what the curves mean for the run's own loss (a float64 softmax collapses in this run only where
     * the float64 curve says; StableMax does not collapse this way at all) and the onset sentence.
     */
    static String caption(LossFunction loss, String onsetText) {
        String meaning = loss == LossFunction.STABLEMAX
                ? "This run was trained with StableMax, whose loss keeps its gradient when the softmax collapses: "
                        + "both curves show where a softmax (float32 or float64) would have stopped learning from "
                        + "those examples."
                : "jgrok's loss is a float64 softmax, so the float64 curve counts the examples whose loss and "
                        + "correct-class gradient are exactly zero in this run, and the float32 curve shows where a "
                        + "float32 softmax would have stopped learning from those examples.";
        return "An example's softmax has collapsed when its correct logit is so far above the others that the sum "
                + "of exponentials equals the correct term alone in that precision: its loss and its correct-class "
                + "gradient are then exactly zero. " + meaning + " This run: " + onsetText + ".";
    }

    /** The figure, or null when the history has no collapse measure (written by an older jgrok). */
    static Figure of(RunData run, Phases phases) {
        History h = run.history;
        CollapseOnset onset = CollapseOnset.of(h);
        if (!onset.recorded()) {
            return null;
        }
        int n = h.size();
        double[] epoch = new double[n];
        double[] trainLoss = new double[n];
        double[] testLoss = new double[n];
        double[] c32 = new double[n];
        double[] c64 = new double[n];
        for (int i = 0; i < n; i++) {
            epoch[i] = h.epoch(i);
            trainLoss[i] = h.trainLoss(i);
            testLoss[i] = h.testLoss(i);
            c32[i] = 100 * h.collapsedF32(i);
            c64[i] = 100 * h.collapsedF64(i);
        }
        double maxEpoch = n == 0 ? 1 : epoch[n - 1];
        String loss = run.config.loss().name().toLowerCase(java.util.Locale.ROOT);
        String caption = caption(run.config.loss(), onset.text());
        return new Figure(NAME, "Softmax collapse", caption, 1200, 500, (g, w, hgt) -> {
            Rectangle2D[] panels = Layout.grid(Layout.title(g, "Softmax collapse of the training examples, beside the "
                    + "losses", w, hgt), 1, 2);
            XYChart l = TimeSeries.chart(panels[0], "Loss", loss + " cross-entropy (log scale)", maxEpoch, true,
                    phases);
            TimeSeries.add(l, "train", epoch, trainLoss, 0, true);
            TimeSeries.add(l, "test", epoch, testLoss, 1, true);
            Layout.chart(g, l, panels[0]);
            XYChart c = TimeSeries.chart(panels[1], "Collapsed training examples", "share of training examples (%)",
                    maxEpoch, false, phases);
            TimeSeries.percentAxis(c);
            TimeSeries.add(c, "float32 softmax", epoch, c32, 2, false);
            TimeSeries.add(c, "float64 softmax", epoch, c64, 3, false);
            Layout.chart(g, c, panels[1]);
        });
    }
}
