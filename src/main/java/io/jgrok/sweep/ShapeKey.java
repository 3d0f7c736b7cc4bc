package io.jgrok.sweep;

import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.config.TestTiming;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What must agree for models to be trained together in one batched launch (see
 * {@link io.jgrok.engine.device.DeviceBatch}): every tensor and data-set size, when the test loss is taken, the
 * optimiser state's shape (Grokfast's filter buffers), the loss and the gradient projection (one launch runs one of
 * each). Seeds, data splits of one size, learning rates, weight decay,
 * warmup and Grokfast's alpha and lambda may differ within a group; a batched engine takes them per model.
 */
public record ShapeKey(int p, int trainSize, int dModel, int nHeads, int dMlp, int nOutputs, TestTiming testTiming,
                       GrokfastMode grokfast, int grokfastWindow, LossFunction loss, GradProjection gradProjection) {

    public static ShapeKey of(RunConfig c) {
        return new ShapeKey(c.p(), c.trainSize(), c.dModel(), c.nHeads(), c.dMlp(), c.nOutputs(), c.testTiming(),
                c.grokfast(), c.grokfast() == GrokfastMode.MA ? c.grokfastWindow() : 0, c.loss(), c.gradProjection());
    }

    /**
     * E.g. {@code p113-train3830-d128h4-mlp512-out114}, with {@code -test-after} for the TransformerLens demo's
     * test timing, {@code -gf-ema} or {@code -gf-ma100}, {@code -stablemax} and {@code -orthogonal} appended.
     */
    public String label() {
        String gf = switch (grokfast) {
            case NONE -> "";
            case EMA -> "-gf-ema";
            case MA -> "-gf-ma" + grokfastWindow;
        };
        return String.format(Locale.ROOT, "p%d-train%d-d%dh%d-mlp%d-out%d%s%s%s%s", p, trainSize, dModel, nHeads,
                dMlp, nOutputs, testTiming == TestTiming.AFTER_STEP ? "-test-after" : "", gf,
                loss == LossFunction.STABLEMAX ? "-stablemax" : "",
                gradProjection == GradProjection.ORTHOGONAL ? "-orthogonal" : "");
    }

    /** The items grouped by shape, groups in order of first appearance, items in their given order. */
    public static <T> Map<ShapeKey, List<T>> group(List<T> items, Function<T, RunConfig> config) {
        Map<ShapeKey, List<T>> groups = new LinkedHashMap<>();
        for (T item : items) {
            groups.computeIfAbsent(of(config.apply(item)), k -> new ArrayList<>()).add(item);
        }
        return groups;
    }
}
