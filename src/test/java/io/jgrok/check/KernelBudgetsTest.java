package io.jgrok.check;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gpu-check's speed part fails loudly when a shipped kernel takes longer per epoch than its "budget µs" in
 * src/main/cuda/README.md's cost table, and times every other kernel version against the row it would replace. The
 * GPU numbers are made up here (the budgets apply only to the paper config on a GPU); GpuCheckTest runs the part
 * itself on the emulated device.
 */
class KernelBudgetsTest {

    private static Map<String, Object> launch(String label, double us) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        m.put("launches_per_epoch", 1.0);
        m.put("us_per_epoch", us);
        return m;
    }

    /** A paper-config profile with every README row's launches at {@code us} each, and the candidates' profile. */
    private static Map<String, Object> speed(double us, Map<String, Double> overrides, List<Map<String, Object>>
            candidates) {
        List<Map<String, Object>> profile = new ArrayList<>();
        for (List<String> labels : KernelCosts.ROWS_TO_LABELS.values()) {
            for (String label : labels) {
                profile.add(launch(label, overrides.getOrDefault(label, us)));
            }
        }
        Map<String, Object> speed = new LinkedHashMap<>();
        speed.put("config", "paper");
        speed.put("profile", profile);
        speed.put("candidates", "kernel versions backward_query=warp");
        speed.put("candidates_profile", candidates);
        return speed;
    }

    @Test
    void aShippedKernelOverItsBudgetFailsAndIsNamed() {
        Map<String, Object> speed = speed(0.5, Map.of("backward: query side", 30.0),
                List.of(launch("backward: query side [warp]", 5.0), launch("tables: q, kq, scores [warp]", 9.0),
                        launch("backward: query side", 31.0)));
        Map<String, Object> check = GpuCheckReport.budgetCheck(speed, "cuda", false);
        assertEquals(Boolean.FALSE, check.get("pass"), String.valueOf(check));
        assertEquals(GpuCheckReport.BUDGET_CHECK, check.get("name"));
        String message = String.valueOf(check.get("message"));
        assertTrue(message.startsWith("1 kernel(s) OVER budget: backward_query 30.0 us > 8.0 us"), message);
        assertTrue(message.contains("candidate versions over the budget (not failing): tables_attention [warp] 9.0 us "
                + "> 5.0 us"), message);
        assertEquals(30.0 / 8.0, (Double) check.get("worst_error"), 1e-12);

        List<Map<String, Object>> table = GpuCheckReport.kernelTable(speed, 60_000, 3_350);
        Map<String, Object> warp = table.stream().filter(m -> m.get("kernel").equals("backward_query [warp]"))
                .findFirst().orElseThrow();
        assertEquals("warp", warp.get("version"));
        assertEquals("backward_query", warp.get("instead_of"));
        assertEquals(5.0, warp.get("us_per_epoch"));
        assertEquals(8.0, warp.get("budget_us"), "a version has the budget of the row it would replace");
        assertEquals(Boolean.TRUE, warp.get("within_budget"));
        Map<String, Object> shipped = table.stream().filter(m -> m.get("kernel").equals("backward_query"))
                .findFirst().orElseThrow();
        assertEquals(30.0, shipped.get("us_per_epoch"), "the candidates' rerun of a shipped kernel is not added");
        assertEquals(Boolean.FALSE, shipped.get("within_budget"));
    }

    @Test
    void everyKernelWithinItsBudgetPasses() {
        Map<String, Object> check = GpuCheckReport.budgetCheck(speed(0.5, Map.of(), List.of()), "cuda", false);
        assertEquals(Boolean.TRUE, check.get("pass"), String.valueOf(check));
        assertEquals(KernelCosts.ROWS_TO_LABELS.size(), ((Number) check.get("comparisons")).intValue());
        assertNull(check.get("message"));
    }

    @Test
    void budgetsApplyOnlyToThePaperConfigOnAGpu() {
        Map<String, Object> speed = speed(100, Map.of(), List.of());
        assertNull(GpuCheckReport.budgetCheck(speed, "emulated", false), "host times");
        assertNull(GpuCheckReport.budgetCheck(speed, "cuda", true), "--quick");
        speed.put("config", "small (p 23, d_model 32, 4 heads, d_mlp 48)");
        assertNull(GpuCheckReport.budgetCheck(speed, "cuda", false), "another config");
    }
}
