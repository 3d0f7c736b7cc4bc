package io.jgrok.figures;

import io.jgrok.io.History;

import java.util.Locale;

/**
 * When softmax collapse set in over a training history ({@link io.jgrok.engine.SoftmaxCollapse}): per precision the
 * first epoch with any collapsed training example, the first with half of them collapsed, and the last value.
 * Epochs are null where that never happened; {@link #recorded} is false for histories written before jgrok measured
 * collapse.
 */
record CollapseOnset(boolean recorded, Long firstF32, Long halfF32, double lastF32, Long firstF64, Long halfF64,
                     double lastF64) {

    static CollapseOnset of(History h) {
        boolean recorded = false;
        Long firstF32 = null;
        Long halfF32 = null;
        Long firstF64 = null;
        Long halfF64 = null;
        double lastF32 = Double.NaN;
        double lastF64 = Double.NaN;
        for (int i = 0; i < h.size(); i++) {
            double c32 = h.collapsedF32(i);
            double c64 = h.collapsedF64(i);
            if (Double.isFinite(c32)) {
                recorded = true;
                lastF32 = c32;
                firstF32 = firstF32 == null && c32 > 0 ? Long.valueOf(h.epoch(i)) : firstF32;
                halfF32 = halfF32 == null && c32 >= 0.5 ? Long.valueOf(h.epoch(i)) : halfF32;
            }
            if (Double.isFinite(c64)) {
                lastF64 = c64;
                firstF64 = firstF64 == null && c64 > 0 ? Long.valueOf(h.epoch(i)) : firstF64;
                halfF64 = halfF64 == null && c64 >= 0.5 ? Long.valueOf(h.epoch(i)) : halfF64;
            }
        }
        return new CollapseOnset(recorded, firstF32, halfF32, lastF32, firstF64, halfF64, lastF64);
    }

    /** E.g. "from epoch 850, half of the examples by 1,430, 56% at the end" or "never". */
    static String describe(Long first, Long half, double last) {
        if (first == null) {
            return "never";
        }
        String s = String.format(Locale.ROOT, "from epoch %,d", first);
        if (half != null) {
            s += String.format(Locale.ROOT, ", half of the examples by %,d", half);
        }
        return s + String.format(Locale.ROOT, ", %s at the end", percent(last));
    }

    /** One line for the report: both precisions. */
    String text() {
        if (!recorded) {
            return "not recorded (history written before jgrok measured it)";
        }
        return "float32: " + describe(firstF32, halfF32, lastF32) + "; float64: " + describe(firstF64, halfF64,
                lastF64);
    }

    static String percent(double x) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        double p = 100 * x;
        return p == 0 || p >= 1 || p == 100 ? String.format(Locale.ROOT, "%.0f%%", p)
                : String.format(Locale.ROOT, "%.2g%%", p);
    }
}
