package io.jgrok.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.engine.Engine;
import io.jgrok.engine.EngineFactory;
import io.jgrok.engine.EpochSink;
import io.jgrok.engine.Engines;
import io.jgrok.io.RunDirectory;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * run_info.json records the numerics of every training session (engine, BLAS and its kernels, threads, SIMD path or
 * device, Java), and a resumed session on other numerics says so in one line.
 */
class RunInfoNumericsTest {
    @TempDir
    Path tmp;

    static final RunConfig CONFIG = TestConfigs.with(TestConfigs.small(7, 8, 2, 8), b -> {
        b.nEpochs = 20;
        b.checkpointEvery = 10;
        b.threads = 1;
        b.device = "cpu";
    });

    /** The CPU engine, claiming another BLAS: what a resume on a machine with another BLAS looks like. */
    static final class OtherBlas implements Engine {
        private final Engine e;
        private final boolean dies;

        OtherBlas(Engine e, boolean dies) {
            this.e = e;
            this.dies = dies;
        }

        @Override
        public Map<String, String> numerics() {
            Map<String, String> m = new LinkedHashMap<>(e.numerics());
            m.put("blas", "SomeOtherBLAS 9.9");
            return m;
        }

        @Override
        public String description() {
            return e.description();
        }

        @Override
        public void setState(TrainingState state) {
            e.setState(state);
        }

        @Override
        public TrainingState state() {
            return e.state();
        }

        @Override
        public int runEpochs(long firstEpoch, int count, EpochSink sink) {
            if (dies) {
                throw new IllegalStateException("killed");
            }
            return e.runEpochs(firstEpoch, count, sink);
        }

        @Override
        public float[] logits(float[] params, int[] examples) {
            return e.logits(params, examples);
        }

        @Override
        public double lossAndGradient(float[] params, int[] examples, float[] grad) {
            return e.lossAndGradient(params, examples, grad);
        }

        @Override
        public void close() {
            e.close();
        }
    }

    private static Trainer.Options options(ByteArrayOutputStream err, EngineFactory engines) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Trainer.Options(false, sink, new PrintStream(err, true, StandardCharsets.UTF_8), e -> { },
                engines);
    }

    @Test
    void everySessionsNumericsAreRecordedAndAChangeIsNoticed() throws Exception {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Trainer.start(CONFIG, dir, null, null, false, options(err, Engines::open));
        JsonObject info = new Gson().fromJson(Files.readString(dir.runInfo()), JsonObject.class);
        assertEquals("done", info.get("status").getAsString());
        JsonObject numerics = info.getAsJsonObject("numerics");
        for (String key : List.of("engine", "blas", "threads", "simd", "java")) {
            assertTrue(numerics.has(key), key + " in " + numerics);
        }
        assertEquals("cpu", numerics.get("engine").getAsString());
        assertEquals("1", numerics.get("threads").getAsString());

        // Same machine, more epochs: no notice.
        err.reset();
        Trainer.resume(dir, 30, options(err, Engines::open));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("computes differently"),
                err.toString(StandardCharsets.UTF_8));

        // Another BLAS: one line naming what changed.
        err.reset();
        Trainer.resume(dir, 40, options(err, (c, s, n) -> new OtherBlas(Engines.open(c, s, n), false)));
        String notice = err.toString(StandardCharsets.UTF_8);
        List<String> lines = notice.lines().filter(l -> l.contains("computes differently")).toList();
        assertEquals(1, lines.size(), notice);
        assertTrue(lines.get(0).startsWith("jgrok: note: this session computes differently from the one before "
                + "(blas "), lines.get(0));
        assertTrue(lines.get(0).contains("-> SomeOtherBLAS 9.9)") && lines.get(0).contains("not be bit-identical"),
                lines.get(0));

        List<Map<String, String>> sessions = RunInfo.sessionNumerics(dir.runInfo());
        assertEquals(3, sessions.size());
        assertEquals(sessions.get(0), sessions.get(1));
        assertEquals("SomeOtherBLAS 9.9", sessions.get(2).get("blas"));
        JsonObject last = new Gson().fromJson(Files.readString(dir.runInfo()), JsonObject.class);
        assertEquals(30, last.getAsJsonArray("sessions").get(2).getAsJsonObject().get("first_epoch").getAsLong());
    }

    @Test
    void aSessionThatIsKilledLeavesItsNumericsBehind() throws Exception {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // The engine fails in its first epoch, as a kill would stop it: run_info.json already holds the session.
        EngineFactory dying = (c, s, n) -> new OtherBlas(Engines.open(c, s, n), true);
        try {
            Trainer.start(CONFIG, dir, null, null, false, options(err, dying));
        } catch (IllegalStateException expected) {
            // As a SIGKILL would end it.
        }
        JsonObject info = new Gson().fromJson(Files.readString(dir.runInfo()), JsonObject.class);
        assertEquals("running", info.get("status").getAsString());
        assertEquals("SomeOtherBLAS 9.9", info.getAsJsonObject("numerics").get("blas").getAsString());
    }
}
