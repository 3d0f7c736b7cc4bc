package io.jgrok.data;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TorchRandom#randperm} against check values recorded from real PyTorch (1.13) by
 * tools/make_torch_randperm_checks.py: seeds including 598 (the TransformerLens demo's), 2^31, 2^32 + 598 and -1
 * (torch keeps the low 32 bits), sizes from 1 to 50,000 including 113^2.
 */
class TorchRandomTest {

    @Test
    void matchesRecordedTorchPermutations() throws IOException {
        JsonObject doc = load();
        JsonArray cases = doc.getAsJsonArray("cases");
        assertTrue(cases.size() >= 50, "the check file should hold every seed x size case");
        for (JsonElement e : cases) {
            JsonObject c = e.getAsJsonObject();
            long seed = c.get("seed").getAsLong();
            int n = c.get("n").getAsInt();
            String what = "torch.randperm(" + n + ") after manual_seed(" + seed + ")";
            int[] r = TorchRandom.randperm(n, seed);
            int[] head = toInts(c.getAsJsonArray("head"));
            int[] tail = toInts(c.getAsJsonArray("tail"));
            assertArrayEquals(head, Arrays.copyOfRange(r, 0, head.length), what + ": first elements");
            assertArrayEquals(tail, Arrays.copyOfRange(r, n - tail.length, n), what + ": last elements");
            long weighted = 0;
            for (int i = 0; i < n; i++) {
                weighted += (long) (i + 1) * r[i];
            }
            assertEquals(c.get("weighted_sum").getAsLong(), weighted, what + ": sum of (i + 1) * r[i]");
        }
    }

    @Test
    void isAPermutation() {
        int n = 113 * 113;
        int[] r = TorchRandom.randperm(n, 598);
        int[] sorted = r.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    private static JsonObject load() throws IOException {
        try (InputStream in = TorchRandomTest.class.getResourceAsStream("/golden/torch_randperm.json")) {
            assertNotNull(in, "golden/torch_randperm.json is missing; run tools/make_torch_randperm_checks.py");
            return new Gson().fromJson(new InputStreamReader(in, StandardCharsets.UTF_8), JsonObject.class);
        }
    }

    private static int[] toInts(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
