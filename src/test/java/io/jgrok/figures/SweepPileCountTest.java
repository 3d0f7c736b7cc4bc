package io.jgrok.figures;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs that did not grok are all drawn at n_epochs, so at one swept value they sit on top of each other: the
 * grokking-time figures count them beside the pile (a sweep whose four weight-decay-3 runs failed showed one x).
 */
class SweepPileCountTest {
    @Test
    void eachPileOfRunsThatDidNotGrokIsCounted() throws Exception {
        SweepSummary s = SweepGridFiguresTest.grid();
        // Training fraction 0.2 groks only at weight decay 0.3, seed 1 (two seeds per cell).
        assertEquals(Map.of(0, 1, 1, 2, 2, 2), SweepFigures.notGrokkedAt(SweepFigures.groups(s,
                SweepSummary.Run::weightDecay, SweepSummary.Run::trainFraction)));
        assertEquals(Map.of(0, 5), SweepFigures.notGrokkedAt(SweepFigures.groups(s, r -> 100 * r.trainFraction(),
                SweepSummary.Run::weightDecay)));
        assertEquals(List.of(), texts(SweepFigures.grokChart(s, SweepFigures.BY_WEIGHT_DECAY, 900, 500)).stream()
                .filter(t -> !t.equals(SweepFigures.pileLabel(2))).toList(), "one count per pile of two");
        assertEquals(2, texts(SweepFigures.grokChart(s, SweepFigures.BY_WEIGHT_DECAY, 900, 500)).size());
        assertEquals(List.of(SweepFigures.pileLabel(5)), texts(SweepFigures.grokChart(s,
                SweepFigures.BY_TRAIN_FRACTION, 900, 500)));
    }

    /** The chart's text annotations (XChart keeps them in protected and private fields). */
    private static List<String> texts(XYChart c) throws Exception {
        Field annotations = Chart.class.getDeclaredField("annotations");
        annotations.setAccessible(true);
        Field text = AnnotationText.class.getDeclaredField("text");
        text.setAccessible(true);
        List<String> out = new java.util.ArrayList<>();
        for (Object a : (List<?>) annotations.get(c)) {
            if (a instanceof AnnotationText t) {
                out.add((String) text.get(t));
            }
        }
        return out;
    }
}
