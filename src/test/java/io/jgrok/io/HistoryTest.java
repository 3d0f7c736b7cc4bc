package io.jgrok.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The history file is written incrementally (each write formats only the new rows); the file must still be what
 * formatting all rows at once gives, through resumes that truncate it, and must read back to the same rows.
 */
class HistoryTest {

    private static void addRows(History h, Random rnd, long from, int count) {
        for (int i = 0; i < count; i++) {
            long e = from + i;
            boolean tested = e % 3 != 1;
            h.accept(e, rnd.nextDouble() * 5, rnd.nextDouble(), tested ? rnd.nextDouble() * 7 : Double.NaN,
                    tested ? rnd.nextDouble() : Double.NaN);
        }
    }

    /** The same rows, formatted in one go by a history that has never been written. */
    private static String writtenOnce(History rows, Path file) throws Exception {
        History fresh = new History();
        for (int i = 0; i < rows.size(); i++) {
            fresh.accept(rows.epoch(i), rows.trainLoss(i), rows.trainAcc(i), rows.testLoss(i), rows.testAcc(i));
        }
        fresh.write(file);
        return Files.readString(file);
    }

    @Test
    void incrementalWritesEqualOneFullWriteThroughTruncations(@TempDir Path dir) throws Exception {
        Random rnd = new Random(7);
        History h = new History();
        Path file = dir.resolve("training_history.json");
        Path reference = dir.resolve("reference.json");
        addRows(h, rnd, 0, 250);
        h.write(file);
        assertEquals(writtenOnce(h, reference), Files.readString(file), "after the first write");
        addRows(h, rnd, 250, 1000);
        h.write(file);
        h.write(file);
        assertEquals(writtenOnce(h, reference), Files.readString(file), "after appending");
        h.truncateAfter(600);  // a resume from the checkpoint of epoch 600
        assertEquals(601, h.size());
        addRows(h, rnd, 601, 77);
        h.write(file);
        String text = Files.readString(file);
        assertEquals(writtenOnce(h, reference), text, "after truncating and appending");
        assertEquals(text, h.toJson(), "toJson and the file");

        History back = History.read(file);
        assertEquals(h.size(), back.size());
        for (int i = 0; i < h.size(); i++) {
            assertEquals(h.epoch(i), back.epoch(i));
            assertEquals(h.trainLoss(i), back.trainLoss(i), 0.0, "train loss row " + i);
            assertEquals(h.trainAcc(i), back.trainAcc(i), 0.0, "train acc row " + i);
            assertEquals(h.testLoss(i), back.testLoss(i), 0.0, "test loss row " + i);
            assertEquals(h.testAcc(i), back.testAcc(i), 0.0, "test acc row " + i);
        }
    }

    @Test
    void emptyHistoryIsValidJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("training_history.json");
        new History().write(file);
        assertEquals(0, History.read(file).size());
    }
}
