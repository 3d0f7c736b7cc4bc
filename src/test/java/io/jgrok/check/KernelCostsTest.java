package io.jgrok.check;

import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.config.TestTiming;
import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;
import io.jgrok.engine.device.EngineSpeed;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gpu-check reads each kernel's FLOP and bytes from src/main/cuda/README.md's cost table and puts measured launch
 * labels against its rows: the table parses, its rows add up to its own total, and every label of a profiled epoch
 * (both test timings) has a row and every row labels, so a renamed launch or row fails here instead of vanishing
 * from the GPU report.
 */
class KernelCostsTest {

    @Test
    void theReadmeTableParsesAndAddsUpToItsTotal() {
        KernelCosts costs = KernelCosts.load();
        assertEquals(23, costs.rows().size(), costs.rows().toString());
        assertNotNull(costs.total());
        double mflop = costs.rows().stream().mapToDouble(KernelCosts.Row::mflop).sum();
        double mb = costs.rows().stream().mapToDouble(KernelCosts.Row::megabytes).sum();
        assertEquals(costs.total().mflop(), mflop, 0.01 * costs.total().mflop(), "MFLOP column vs the epoch row");
        assertEquals(costs.total().megabytes(), mb, 0.02 * costs.total().megabytes(), "MB column vs the epoch row");
        KernelCosts.Row logits = costs.rows().stream().filter(r -> r.name().startsWith("gemm logits")).findFirst()
                .orElseThrow();
        assertEquals(1491, logits.mflop());
        assertEquals(24.8, logits.floorMicros());
        KernelCosts.Row query = costs.rows().stream().filter(r -> r.name().equals("backward_query")).findFirst()
                .orElseThrow();
        assertEquals(0.2, query.floorMicros(), "the first number of \"0.2 (latency-bound: ~5-10)\"");
        assertEquals(8, query.budgetMicros(), "backward_query's budget");
        double budgets = costs.rows().stream().mapToDouble(KernelCosts.Row::budgetMicros).sum();
        assertEquals(costs.total().budgetMicros(), budgets, 1e-9, "budget column vs the epoch row");
        assertTrue(budgets <= 1e6 / 4000, "the budgets fit the 4,000 epochs/s target: " + budgets + " us");
    }

    @Test
    void everyReadmeRowHasLabelsAndEveryRowOfTheMapIsInTheReadme() {
        Set<String> readme = new HashSet<>();
        KernelCosts.load().rows().forEach(r -> readme.add(r.name()));
        assertEquals(readme, KernelCosts.ROWS_TO_LABELS.keySet());
    }

    @Test
    void everyLaunchOfAProfiledEpochMapsToARow() {
        RunConfig before = TestConfigs.small(7, 16, 2, 24);
        RunConfig after = TestConfigs.with(before, b -> b.testTiming = TestTiming.AFTER_STEP);
        Set<String> labelsSeen = new HashSet<>();
        try (Device device = EmulatedDevice.open(2)) {
            for (RunConfig c : List.of(before, after)) {
                for (EngineSpeed.Launch l : EngineSpeed.profile(device, c, 2).launches()) {
                    assertNotNull(KernelCosts.rowOf(l.label()), "launch label \"" + l.label() + "\" has no row");
                    labelsSeen.add(l.label());
                }
            }
        }
        for (List<String> labels : KernelCosts.ROWS_TO_LABELS.values()) {
            for (String label : labels) {
                assertTrue(labelsSeen.contains(label), "the map names \"" + label + "\", which no launch has");
            }
        }
        assertEquals("gemm dWOU, split-K + sum", KernelCosts.rowOf("backward: dWOU = relu(pre)^T dlogits (split-K "
                + "sum)"));
    }

    @Test
    void aBudgetColumnIsReadWhereTheTableHasOne() {
        String md = KernelCosts.HEADING + " and more\n\ntext\n\n| kernel | MFLOP | MB | floor µs | budget µs |\n"
                + "|---|---|---|---|---|\n| a \\| b | 1,491 | 38.0 | 24.8 | 60 (two waves) |\n"
                + "| **epoch** | **1,491** | **38** | **25** | |\n\nafter the table\n| not | a row |\n";
        KernelCosts costs = KernelCosts.parse(md);
        assertEquals(1, costs.rows().size());
        KernelCosts.Row row = costs.rows().get(0);
        assertEquals("a | b", row.name());
        assertEquals(1491, row.mflop());
        assertEquals(60, row.budgetMicros());
        assertEquals(1491, costs.total().mflop());
    }
}
