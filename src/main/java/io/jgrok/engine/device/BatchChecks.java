package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.check.DeviceCheck;
import io.jgrok.check.Verdict;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.config.TestTiming;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.io.History;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.relativeError;

/**
 * What the device engine promises beyond agreeing with the CPU engine, checked bit for bit: two runs from the same
 * state give the same weights and history; replaying captured graphs gives the bits of eager launches; a batch of
 * N models gives each model exactly what it gets alone; state() and setState() round-trip everything (parameters,
 * moments, step, Grokfast state), so a run stopped and resumed equals an uninterrupted one; and the batched forward
 * pass for the analysis gives each parameter set's logits. Run by DeviceBatchTest (the emulated device always, a GPU
 * when there is one) and by {@code jgrok gpu-check}.
 */
public final class BatchChecks {
    private BatchChecks() {
    }

    public static List<DeviceCheck> all() {
        List<DeviceCheck> checks = new ArrayList<>();
        for (GrokfastMode mode : GrokfastMode.values()) {
            checks.add(DeviceCheck.of("two runs bit-identical, graph replay = eager launches, Grokfast " + mode,
                    (target, v) -> rerunsAndGraphs(target.device(), v, mode)));
        }
        for (GrokfastMode mode : GrokfastMode.values()) {
            checks.add(DeviceCheck.of("state round-trips, resumed run = uninterrupted run, Grokfast " + mode,
                    (target, v) -> resume(target.device(), v, mode)));
        }
        checks.add(DeviceCheck.of("a batch of three models gives each model its own run",
                (target, v) -> batchOfThree(target.device(), v)));
        checks.add(DeviceCheck.of("models of one batch must share shape and test timing",
                (target, v) -> sameShapeRequired(target.device(), v)));
        checks.add(DeviceCheck.of("batched forward pass gives each parameter set's logits",
                (target, v) -> batchedForward(target.device(), v)));
        return checks;
    }

    private static RunConfig config(GrokfastMode mode) {
        return TestConfigs.with(TestConfigs.small(17, 32, 4, 40), b -> {
            b.lr = 1e-2;
            b.warmupSteps = 2;
            b.grokfast = mode;
            b.grokfastWindow = 3;
            b.seed = 9;
        });
    }

    /** Runs epochs [first, first + count) of one engine in chunks of the given sizes; returns the history. */
    private static History run(DeviceEngine engine, long first, int... chunks) {
        History h = new History();
        long e = first;
        for (int c : chunks) {
            engine.runEpochs(e, c, h);
            e += c;
        }
        return h;
    }

    private static void sameState(Verdict v, TrainingState a, TrainingState b, String what) {
        v.same(what + ": parameters", a.params(), b.params());
        v.same(what + ": exp_avg", a.adamM(), b.adamM());
        v.same(what + ": exp_avg_sq", a.adamV(), b.adamV());
        v.equal(what + ": step", a.step(), b.step());
        v.equal(what + ": Grokfast entries", a.grokfast().length, b.grokfast().length);
        for (int i = 0; i < a.grokfast().length; i++) {
            v.same(what + ": Grokfast entry " + i, a.grokfast()[i], b.grokfast()[i]);
        }
    }

    private static void sameHistory(Verdict v, History a, History b, String what) {
        v.equal(what + ": rows", a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            v.equal(what + ": epoch of row " + i, a.epoch(i), b.epoch(i));
            v.equal(what + ": train loss " + i, a.trainLoss(i), b.trainLoss(i));
            v.equal(what + ": train acc " + i, a.trainAcc(i), b.trainAcc(i));
            v.equal(what + ": test loss " + i, a.testLoss(i), b.testLoss(i));
            v.equal(what + ": test acc " + i, a.testAcc(i), b.testAcc(i));
        }
    }

    private static void rerunsAndGraphs(Device device, Verdict v, GrokfastMode mode) {
        RunConfig c = config(mode);
        Split split = Split.of(c);
        TrainingState start = TrainingState.fresh(Initializer.initialParameters(c));
        TrainingState[] end = new TrainingState[3];
        History[] hist = new History[3];
        for (int k = 0; k < 3; k++) {
            try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
                e.useGraphs(k < 2);  // runs 0 and 1: graph replays; run 2: every epoch launched eagerly
                e.setState(start);
                hist[k] = run(e, 0, 3, 4);
                end[k] = e.state();
            }
        }
        sameState(v, end[0], end[1], "second run");
        sameHistory(v, hist[0], hist[1], "second run");
        sameState(v, end[0], end[2], "eager launches");
        sameHistory(v, hist[0], hist[2], "eager launches");
        v.isTrue("training moved the weights", end[0].params()[5] != start.params()[5]);
    }

    private static void resume(Device device, Verdict v, GrokfastMode mode) {
        RunConfig c = config(mode);
        Split split = Split.of(c);
        TrainingState start = TrainingState.fresh(Initializer.initialParameters(c));
        TrainingState whole;
        History wholeHistory;
        try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
            e.setState(start);
            wholeHistory = run(e, 0, 7);
            whole = e.state();
        }
        TrainingState half;
        History resumed;
        try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
            e.setState(start);
            resumed = run(e, 0, 4);
            half = e.state();
        }
        // The state of the CPU engine after the same epochs has the same shape (Grokfast entries, step).
        try (CpuEngine cpu = new CpuEngine(c, split)) {
            cpu.setState(start);
            cpu.runEpochs(0, 4, new History());
            v.equal("step after 4 epochs, CPU engine vs device", cpu.state().step(), half.step());
            v.equal("Grokfast entries, CPU engine vs device", cpu.state().grokfast().length, half.grokfast().length);
        }
        try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
            e.setState(half);
            sameState(v, half, e.state(), "state() right after setState()");
            History rest = run(e, 4, 3);
            for (int i = 0; i < rest.size(); i++) {
                resumed.accept(rest.epoch(i), rest.trainLoss(i), rest.trainAcc(i), rest.testLoss(i),
                        rest.testAcc(i));
            }
            sameState(v, whole, e.state(), "resumed after 4 of 7 epochs");
        }
        sameHistory(v, wholeHistory, resumed, "resumed history");
    }

    private static void batchOfThree(Device device, Verdict v) {
        RunConfig base = config(GrokfastMode.EMA);
        List<RunConfig> configs = List.of(
                base,
                TestConfigs.with(base, b -> {
                    b.seed = 21;
                    b.lr = 3e-3;
                    b.weightDecay = 0.3;
                    b.dataSeed = 4;
                    b.grokfastAlpha = 0.8;
                    b.evalEvery = 2;
                }),
                TestConfigs.with(base, b -> {
                    b.seed = 33;
                    b.trainMlpBiases = false;
                    b.warmupSteps = 0;
                    b.grokfastLambda = 0.5;
                    b.dataSeed = 7;
                }));
        List<Split> splits = new ArrayList<>();
        List<TrainingState> starts = new ArrayList<>();
        for (RunConfig c : configs) {
            splits.add(Split.of(c));
            starts.add(TrainingState.fresh(Initializer.initialParameters(c)));
        }
        long[] firstEpochs = {0, 0, 0};
        List<History> batchHistories = List.of(new History(), new History(), new History());
        TrainingState[] batchEnd = new TrainingState[3];
        try (DeviceBatch batch = new DeviceBatch(device, configs, splits, false)) {
            for (int z = 0; z < 3; z++) {
                batch.setState(z, starts.get(z));
            }
            batch.runEpochs(firstEpochs, 3, (z, e, trL, trA, teL, teA) -> batchHistories.get(z).accept(e, trL,
                    trA, teL, teA));
            firstEpochs = new long[] {3, 3, 3};
            batch.runEpochs(firstEpochs, 3, (z, e, trL, trA, teL, teA) -> batchHistories.get(z).accept(e, trL,
                    trA, teL, teA));
            for (int z = 0; z < 3; z++) {
                batchEnd[z] = batch.state(z);
            }
        }
        for (int z = 0; z < 3; z++) {
            try (DeviceEngine alone = new DeviceEngine(configs.get(z), splits.get(z), device, false, null)) {
                alone.setState(starts.get(z));
                History h = run(alone, 0, 3, 3);
                sameState(v, alone.state(), batchEnd[z], "model " + z + " of the batch");
                sameHistory(v, h, batchHistories.get(z), "model " + z + " of the batch");
            }
        }
        v.isTrue("model 1 evaluates every 2nd epoch only", Double.isNaN(batchHistories.get(1).testLoss(1)));
    }

    private static void sameShapeRequired(Device device, Verdict v) {
        RunConfig a = config(GrokfastMode.NONE);
        RunConfig b = TestConfigs.with(a, x -> x.testTiming = TestTiming.AFTER_STEP);
        RunConfig c = TestConfigs.with(a, x -> x.dMlp = 48);
        v.fails("models with different test timing", IllegalArgumentException.class, () -> new DeviceBatch(device,
                List.of(a, b), List.of(Split.of(a), Split.of(b)), false));
        v.fails("models with different d_mlp", IllegalArgumentException.class, () -> new DeviceBatch(device,
                List.of(a, c), List.of(Split.of(a), Split.of(c)), false));
    }

    private static void batchedForward(Device device, Verdict v) {
        RunConfig c = TestConfigs.small(19, 32, 4, 40);
        ParamLayout layout = new ParamLayout(c);
        Random rnd = new Random(77);
        float[][] params = new float[3][];
        for (int z = 0; z < 3; z++) {
            params[z] = RandomWeights.floats(layout, rnd, 0.7);
        }
        int[] all = new int[c.p() * c.p()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        float[] batched = DeviceForward.logits(device, c, params, all);
        int per = all.length * c.nOutputs();
        v.equal("length of the batched logits", 3 * per, batched.length);
        try (CpuEngine cpu = new CpuEngine(c, Split.of(c))) {
            for (int z = 0; z < 3; z++) {
                float[] expected = cpu.logits(params[z], all);
                float[] got = Arrays.copyOfRange(batched, z * per, (z + 1) * per);
                v.within("model " + z + " logits vs CPU engine (relative)", relativeError(got, expected,
                        FLOAT32_ABS_FLOOR), FLOAT32_REL);
            }
        }
        // Device-resident parameters and a device-resident result give the same bits.
        DevicePtr onDevice = device.alloc(4L * 3 * layout.size());
        DevicePtr dense = device.alloc(4L * 3 * per);
        try (DeviceForward f = DeviceForward.open(device, c, 3, all)) {
            for (int z = 0; z < 3; z++) {
                device.copyToDevice(onDevice.floatAt((long) z * layout.size()), params[z], 0, layout.size());
            }
            device.memset(dense, 0xFF, dense.bytes());
            f.run(onDevice);
            f.copyLogitsTo(dense);
            float[] back = new float[3 * per];
            device.copyToHost(back, 0, dense, back.length);
            v.same("device-resident result", batched, back);
            v.same("logits() of the device-resident run", batched, f.logits());
        } finally {
            device.free(onDevice);
            device.free(dense);
        }
    }
}
