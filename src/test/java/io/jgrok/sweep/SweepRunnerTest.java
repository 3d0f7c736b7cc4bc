package io.jgrok.sweep;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.UserError;
import io.jgrok.cli.TrainFlags;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small sweep end to end, in process: every run trained, analysed and recorded; a second start does nothing; a
 * failed run is recorded, reported and retried only on request; a different spec in the same directory is refused;
 * shards plus merge give what one whole sweep gives.
 */
class SweepRunnerTest {
    static final TrainFlags FLAGS = new TrainFlags();
    /** Four tiny runs; with 70% of the data and lr 0.01 some grok within 600 epochs. */
    static final String SPEC = "{\"p\": 23, \"d_model\": 32, \"n_heads\": 4, \"d_mlp\": 64, \"n_epochs\": 600, "
            + "\"checkpoint_every\": 100, \"lr\": 0.01, \"train_fraction\": [0.7, 0.3], \"seed\": [1, 2]}";

    @TempDir
    Path tmp;

    final ByteArrayOutputStream console = new ByteArrayOutputStream();

    SweepRunner.Result sweep(String json, Path dir, Shard shard, boolean retryFailed, int width) {
        SweepSpec spec = SweepSpec.parse(json, tmp, "spec.json", FLAGS);
        List<SweepRun> runs = spec.expand(FLAGS);
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        return SweepRunner.run(spec, runs, new CpuBatchTrainer(width),
                new SweepRunner.Options(dir, shard, retryFailed, false, out, out));
    }

    static JsonObject json(Path file) throws Exception {
        return new Gson().fromJson(Files.readString(file), JsonObject.class);
    }

    @Test
    void aSmallSweepRunsToCompletionAndRecordsEveryRun() throws Exception {
        Path dir = tmp.resolve("sweep");
        SweepRunner.Result r = sweep(SPEC, dir, null, false, 2);
        assertEquals(4, r.owned());
        assertEquals(4, r.done());
        assertTrue(r.complete());
        SweepIndex index = SweepIndex.read(dir.resolve(SweepIndex.FILE));
        List<String> names = index.records().stream().map(x -> x.name).toList();
        assertEquals(List.of("frac0.7-seed1", "frac0.7-seed2", "frac0.3-seed1", "frac0.3-seed2"), names);
        boolean anyGrokked = false;
        for (RunRecord rec : index.records()) {
            assertEquals(RunStatus.DONE, rec.status);
            assertEquals(1, rec.attempts);
            assertEquals(600, rec.epochsDone);
            assertNull(rec.exitReason);
            assertNull(rec.analysisError);
            RunDirectory run = new RunDirectory(dir.resolve(rec.dir));
            // An ordinary run directory, with the sweep's log of its console output.
            assertTrue(Files.exists(run.config()) && Files.exists(run.split()) && Files.exists(run.runInfo()));
            assertTrue(Files.exists(run.root().resolve("train.log")));
            assertTrue(Files.exists(run.checkpoint(599)));
            // Epochs to grok, recomputed here from the run's own history.
            History h = History.read(run.history());
            assertEquals(600, h.size());
            Long acc = null;
            Long loss = null;
            for (int i = h.size() - 1; i >= 0; i--) {
                acc = h.testAcc(i) >= 0.99 ? Long.valueOf(h.epoch(i)) : acc;
                loss = h.testLoss(i) < 0.1 ? Long.valueOf(h.epoch(i)) : loss;
            }
            assertEquals(acc, rec.epochsToGrok);
            assertEquals(loss, rec.epochsToGrokLoss);
            anyGrokked |= acc != null;
            assertEquals(h.testAcc(599), rec.finalTestAcc);
            assertEquals(h.trainLoss(599), rec.finalTrainLoss);
            // Key frequencies and clustered fraction are the run's own analysis results.
            JsonObject summary = json(run.analysis().resolve("summary.json"));
            JsonArray keys = summary.getAsJsonArray("key_frequencies");
            assertArrayEquals(new Gson().fromJson(keys, int[].class), rec.keyFrequencies);
            assertTrue(rec.keyFrequencies.length > 0);
            assertEquals(summary.getAsJsonObject("neurons").get("fraction_clustered").getAsDouble(),
                    rec.clusteredFraction);
        }
        assertTrue(anyGrokked, "the spec is chosen so that a run groks");

        // The summary: one row per run in both files, with the fields the sweep figures read.
        JsonObject s = json(dir.resolve(SweepSummaryFile.JSON));
        assertEquals("jgrok-sweep-1", s.get("format").getAsString());
        assertEquals(23, s.get("p").getAsInt());
        assertEquals(600, s.get("n_epochs").getAsLong());
        assertEquals(4, s.getAsJsonObject("counts").get("done").getAsInt());
        JsonArray rows = s.getAsJsonArray("runs");
        assertEquals(4, rows.size());
        for (int i = 0; i < 4; i++) {
            JsonObject row = rows.get(i).getAsJsonObject();
            RunRecord rec = index.records().get(i);
            assertEquals(rec.dir, row.get("dir").getAsString());
            assertTrue(Files.isDirectory(dir.resolve(row.get("dir").getAsString())));
            assertEquals(i < 2 ? 0.7 : 0.3, row.get("train_fraction").getAsDouble());
            assertEquals(1 + i % 2, row.get("seed").getAsLong());
            assertEquals(1.0, row.get("weight_decay").getAsDouble());
            assertEquals(0, row.get("data_seed").getAsLong());
            assertEquals(rec.epochsToGrok, row.get("epochs_to_grok").isJsonNull() ? null
                    : row.get("epochs_to_grok").getAsLong());
            assertEquals(rec.keyFrequencies.length, row.getAsJsonArray("key_frequencies").size());
            assertEquals(i < 2 ? 0.7 : 0.3, row.getAsJsonObject("params").get("train_fraction").getAsDouble());
        }
        List<String> csv = Files.readAllLines(dir.resolve(SweepSummaryFile.CSV));
        assertEquals(5, csv.size());
        assertTrue(csv.get(0).startsWith("name,dir,param_train_fraction,param_seed,status,"), csv.get(0));
        assertTrue(csv.get(1).startsWith("frac0.7-seed1,runs/frac0.7-seed1,0.7,1,done,,"), csv.get(1));

        // A second start finds everything done and touches no run.
        Map<Path, FileTime> before = modificationTimes(dir.resolve("runs"));
        console.reset();
        SweepRunner.Result again = sweep(SPEC, dir, null, false, 2);
        assertEquals(4, again.done());
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("4 runs, 0 to do"), console.toString());
        assertEquals(before, modificationTimes(dir.resolve("runs")));
        for (RunRecord rec : SweepIndex.read(dir.resolve(SweepIndex.FILE)).records()) {
            assertEquals(1, rec.attempts);
        }
    }

    @Test
    void aFailedRunIsRecordedAndRetriedOnlyOnRequest() throws Exception {
        String spec = "{\"p\": 11, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 16, \"n_epochs\": 40, "
                + "\"checkpoint_every\": 10, \"analysis\": \"none\", \"lr\": [0.001, 1e30, 0.002]}";
        Path dir = tmp.resolve("sweep");
        SweepRunner.Result r = sweep(spec, dir, null, false, 2);
        assertEquals(2, r.done());
        assertEquals(1, r.failed());
        assertEquals(List.of("lr1e30"), r.failedRuns());
        RunRecord bad = SweepIndex.read(dir.resolve(SweepIndex.FILE)).record("lr1e30");
        assertEquals(RunStatus.FAILED, bad.status);
        assertTrue(bad.exitReason.contains("diverged at epoch"), bad.exitReason);
        assertEquals(1, bad.attempts);

        console.reset();
        r = sweep(spec, dir, null, false, 2);
        assertEquals(1, r.failed());
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("0 to do") && text.contains("not retrying failed run lr1e30"), text);
        assertEquals(1, SweepIndex.read(dir.resolve(SweepIndex.FILE)).record("lr1e30").attempts);

        r = sweep(spec, dir, null, true, 2);
        assertEquals(1, r.failed());
        RunRecord retried = SweepIndex.read(dir.resolve(SweepIndex.FILE)).record("lr1e30");
        assertEquals(2, retried.attempts);
        assertEquals(RunStatus.FAILED, retried.status);
        assertEquals(1, SweepIndex.read(dir.resolve(SweepIndex.FILE)).record("lr0.001").attempts);
    }

    @Test
    void aDifferentSpecInTheSameDirectoryIsRefused() {
        String spec = "{\"p\": 11, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 16, \"n_epochs\": 5, "
                + "\"analysis\": \"none\", \"seed\": [1, 2]}";
        Path dir = tmp.resolve("sweep");
        sweep(spec, dir, null, false, 2);
        UserError e = assertThrows(UserError.class, () -> sweep(spec.replace("[1, 2]", "[1, 3]"), dir, null, false,
                2));
        assertTrue(e.getMessage().contains("different spec"), e.getMessage());
    }

    @Test
    void aSecondProcessOnTheSameSweepIsRefused() throws Exception {
        String spec = "{\"p\": 11, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 16, \"n_epochs\": 5, "
                + "\"analysis\": \"none\"}";
        Path dir = tmp.resolve("sweep");
        Files.createDirectories(dir);
        Path lockFile = SweepIndex.lockFile(dir, null);
        try (var lock = io.jgrok.io.WriterLock.acquire(lockFile, "a test", System.err)) {
            UserError e = assertThrows(UserError.class, () -> sweep(spec, dir, null, false, 1));
            assertTrue(e.getMessage().contains("another jgrok sweep process"), e.getMessage());
            // Shards lock their own index: shard 0/2 may run beside the holder of the whole sweep's lock.
            assertEquals(1, sweep(spec, dir, new Shard(0, 2), false, 1).done());
        }
        assertEquals(1, sweep(spec, dir, null, false, 1).done(), "the lock is gone with its holder");
    }

    @Test
    void shardsThenMergeGiveTheWholeSweep() throws Exception {
        String spec = "{\"p\": 11, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 16, \"n_epochs\": 30, "
                + "\"checkpoint_every\": 10, \"seed\": \"1..5\"}";
        Path whole = tmp.resolve("whole");
        sweep(spec, whole, null, false, 2);
        Path sharded = tmp.resolve("sharded");
        SweepRunner.Result first = sweep(spec, sharded, new Shard(0, 2), false, 1);
        assertEquals(3, first.owned(), "shard 0/2 owns runs 0, 2, 4");
        assertTrue(Files.exists(sharded.resolve("sweep_index.shard-0-of-2.json")));
        // Before shard 1 has run, a merge shows its runs as pending.
        SweepIndex partial = SweepMerge.merge(sharded, FLAGS, new PrintStream(console, true, StandardCharsets.UTF_8));
        assertEquals(List.of(RunStatus.DONE, RunStatus.PENDING, RunStatus.DONE, RunStatus.PENDING, RunStatus.DONE),
                partial.records().stream().map(x -> x.status).toList());
        SweepRunner.Result second = sweep(spec, sharded, new Shard(1, 2), false, 1);
        assertEquals(2, second.owned());
        SweepIndex merged = SweepMerge.merge(sharded, FLAGS, new PrintStream(console, true, StandardCharsets.UTF_8));
        List<RunRecord> want = SweepIndex.read(whole.resolve(SweepIndex.FILE)).records();
        List<RunRecord> got = merged.records();
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).name, got.get(i).name);
            assertEquals(RunStatus.DONE, got.get(i).status);
            assertEquals(want.get(i).epochsToGrok, got.get(i).epochsToGrok);
            assertArrayEquals(want.get(i).keyFrequencies, got.get(i).keyFrequencies);
            SameRun.assertSameRun(new RunDirectory(whole.resolve(want.get(i).dir)),
                    new RunDirectory(sharded.resolve(got.get(i).dir)));
        }
        JsonObject s = json(sharded.resolve(SweepSummaryFile.JSON));
        assertEquals(5, s.getAsJsonObject("counts").get("done").getAsInt());
        // The merged index is a whole sweep's: starting the unsharded sweep there has nothing left to do.
        console.reset();
        assertEquals(5, sweep(spec, sharded, null, false, 2).done());
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("5 runs, 0 to do"));
    }

    static Map<Path, FileTime> modificationTimes(Path root) throws Exception {
        Map<Path, FileTime> out = new HashMap<>();
        List<Path> files = new ArrayList<>();
        try (var s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            out.put(f, Files.getLastModifiedTime(f));
        }
        return out;
    }
}
