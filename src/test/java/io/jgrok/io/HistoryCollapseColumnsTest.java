package io.jgrok.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The softmax-collapse columns of the history: written and read back exactly, null where not measured (rows from a
 * sink that does not report them), and absent in histories written before jgrok measured collapse, which still read
 * (as NaN) so that older runs can be resumed and drawn.
 */
class HistoryCollapseColumnsTest {

    @Test
    void roundTripWithNullsWhereNotMeasured(@TempDir Path dir) throws Exception {
        History h = new History();
        h.accept(0, 2.5, 0.1, 2.6, 0.05, 0.0, 0.0);
        h.accept(1, 1e-7, 1.0, 3.0, 0.2, 0.75, 1.0 / 3);
        h.accept(2, 1e-8, 1.0, Double.NaN, Double.NaN);  // a five-value row: collapse not measured
        Path file = dir.resolve("h.json");
        h.write(file);
        String text = Files.readString(file);
        assertTrue(text.contains("\"softmax_collapse_f32\": [0.0,0.75,null]"), text);
        assertTrue(text.contains("\"softmax_collapse_f64\": [0.0,0.3333333333333333,null]"), text);
        History back = History.read(file);
        assertEquals(0.75, back.collapsedF32(1), 0.0);
        assertEquals(1.0 / 3, back.collapsedF64(1), 0.0);
        assertTrue(Double.isNaN(back.collapsedF32(2)) && Double.isNaN(back.collapsedF64(2)));
        back.truncateAfter(0);
        back.accept(1, 1e-7, 1.0, 3.0, 0.2, 0.5, 0.25);
        back.write(file);
        assertTrue(Files.readString(file).contains("\"softmax_collapse_f32\": [0.0,0.5]"));
    }

    @Test
    void historiesWithoutTheColumnsReadAsNaN(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(file, "{\n  \"epoch\": [0,1],\n  \"train_loss\": [2.0,1.0],\n  \"test_loss\": [2.1,null],\n"
                + "  \"train_acc\": [0.1,0.5],\n  \"test_acc\": [0.0,null]\n}\n");
        History h = History.read(file);
        assertEquals(2, h.size());
        assertEquals(1.0, h.trainLoss(1), 0.0);
        assertTrue(Double.isNaN(h.collapsedF32(0)) && Double.isNaN(h.collapsedF64(1)));
        h.accept(2, 0.5, 0.9, 1.5, 0.3, 0.0, 0.0);
        h.write(file);
        assertTrue(Files.readString(file).contains("\"softmax_collapse_f32\": [null,null,0.0]"));
    }
}
