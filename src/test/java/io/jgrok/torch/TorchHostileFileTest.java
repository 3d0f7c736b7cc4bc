package io.jgrok.torch;

import io.jgrok.InProcessCli;
import io.jgrok.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files built to break the reader rather than by PyTorch: malformed numbers and calls in the pickle, sizes that
 * would make it allocate far more than the file holds (a view of 2^28 elements of a one-element storage, the same
 * storage viewed hundreds of times, a deflated record of zeros, a storage claiming 2^40 bytes), containers that hold
 * themselves or nest without end. Each is a one-line {@link UserError} (exit 2 from the CLI), found before the
 * memory is taken: the reader's allocations are bounded by a small multiple of the file's size.
 */
class TorchHostileFileTest {
    @TempDir
    Path tmp;

    private Path file(byte[] pickle, Map<String, byte[]> records) throws IOException {
        return HandMadeTorchFiles.write(tmp.resolve("hostile" + System.nanoTime() + ".pth"), pickle, records);
    }

    private Path file(HandMadeTorchFiles.Pickle pickle) throws IOException {
        return file(pickle.bytes(), Map.of());
    }

    private static UserError refused(Path file, String expected) {
        UserError e = assertThrows(UserError.class, () -> TorchFile.read(file));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"I12x\n", "Fabc\n", "L\n", "NgNaN\n"})
    void malformedTextNumbersAreUserErrors(String opcodes) throws IOException {
        // INT, FLOAT and LONG with text that is no number, and GET with a memo key that is none.
        refused(file(new HandMadeTorchFiles.Pickle().raw(opcodes)), "malformed pickle");
    }

    @Test
    void callingNoneIsAUserError() throws IOException {
        refused(file(new HandMadeTorchFiles.Pickle().op('N').op(')').op('R')), "malformed pickle");
    }

    @Test
    void aViewLargerThanTheFileIsRefusedBeforeItIsAllocated() throws IOException {
        // 2^28 float32 elements (1 GiB) with stride 0 over a one-element storage: torch.load accepts it.
        byte[] one = new byte[4];
        for (long numel : new long[] {1L << 28, 1L << 30}) {
            HandMadeTorchFiles.Pickle p = new HandMadeTorchFiles.Pickle().op('}').str("x").floatStorage("0", 1)
                    .put(1).op('0').tensor(1, 0, new long[] {numel}, new long[] {0}).op('s');
            refused(file(p.bytes(), Map.of("0", one)), "more than");
        }
    }

    @Test
    void theSameStorageViewedOverAndOverIsRefused() throws IOException {
        // 300 full views of one 1 MiB storage: 300 MiB of tensors from a 1 MiB file.
        int numel = 1 << 18;
        HandMadeTorchFiles.Pickle p = new HandMadeTorchFiles.Pickle().op(']').floatStorage("0", numel).put(1)
                .op('0').mark();
        for (int i = 0; i < 300; i++) {
            p.tensor(1, 0, new long[] {numel}, new long[] {1});
        }
        p.op('e');
        refused(file(p.bytes(), Map.of("0", new byte[4 * numel])), "more than");
    }

    @Test
    void aDeflatedRecordOfZerosIsRefusedBeforeItIsInflated() throws IOException {
        long numel = 1L << 26;  // 256 MiB of zeros, about 250 KB deflated
        HandMadeTorchFiles.Pickle p = new HandMadeTorchFiles.Pickle().op('}').str("x").floatStorage("0", numel)
                .put(1).op('0').tensor(1, 0, new long[] {4}, new long[] {1}).op('s');
        Path f = HandMadeTorchFiles.writeDeflatedZeros(tmp.resolve("bomb.pth"), p.bytes(), 4 * numel);
        assertTrue(Files.size(f) < 4 * numel / 100, "the file is small");
        refused(f, "more than");
    }

    @Test
    void aStorageClaimingATerabyteIsRefused() throws IOException {
        HandMadeTorchFiles.Pickle p = new HandMadeTorchFiles.Pickle().op('}').str("x").floatStorage("0", 1L << 38)
                .put(1).op('0').tensor(1, 0, new long[] {4}, new long[] {1}).op('s');
        refused(file(p.bytes(), Map.of("0", new byte[16])), "needs 1099511627776 bytes");
    }

    @Test
    void aListThatHoldsItselfAsADictKeyIsAUserError() throws IOException {
        // {[...]: None} where the list contains itself: hashing the key never ends.
        HandMadeTorchFiles.Pickle p = new HandMadeTorchFiles.Pickle().op('}').op(']').put(0).get(0).op('a')
                .op('N').op('s');
        refused(file(p), "malformed pickle");
    }

    @Test
    void containersThatHoldThemselvesAreRefused() throws IOException {
        // a = [b], b = [a]: printing or comparing either never ends.
        HandMadeTorchFiles.Pickle p = new HandMadeTorchFiles.Pickle().op('}').str("config").op(']').put(0)
                .op(']').put(1).get(0).op('a').op('a').op('s');
        refused(file(p), "holds itself");
    }

    @Test
    void containersNestedWithoutEndAreRefused() throws IOException {
        HandMadeTorchFiles.Pickle p = new HandMadeTorchFiles.Pickle();
        int depth = 100_000;
        for (int i = 0; i < depth; i++) {
            p.op(']');
        }
        for (int i = 1; i < depth; i++) {
            p.op('a');
        }
        refused(file(p), "nested");
    }

    /**
     * Epochs size the history (one row per epoch): an epoch of two billion would ask for tens of GB. A paper
     * per-epoch file, a notebook file's epoch list and the --epoch of a bare state dict each say one.
     */
    @Test
    void epochsBeyondWhatAHistoryHoldsAreRefused() throws IOException {
        Object sd = TorchFile.read(Fixtures.file("state_dict_paper.pt"));
        long huge = 2_000_000_000L;
        Path perEpoch = tmp.resolve("per_epoch.pth");
        TorchWriter.write(perEpoch, Map.of("model", sd, "epoch", huge, "train_loss", 0.5));
        assertImportRefused(perEpoch, "epoch 2000000000");
        Path notebook = tmp.resolve("notebook.pth");
        TorchWriter.write(notebook, Map.of("state_dicts", java.util.List.of(sd, sd), "epochs",
                java.util.List.of(0L, huge)));
        assertImportRefused(notebook, "epoch 2000000000");
        assertImportRefused(Fixtures.file("state_dict_paper.pt"), "--epoch must be an integer from 0 to", "--epoch",
                Long.toString(huge));
    }

    private void assertImportRefused(Path f, String expected, String... extra) {
        Path out = tmp.resolve("run");
        String[] base = {"import", f.toString(), "--out", out.toString(), "--quiet"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        InProcessCli.Result r = InProcessCli.run(args);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void theCliSaysItInOneLineWithExitCode2() throws IOException {
        assertImportRefused(file(new HandMadeTorchFiles.Pickle().raw("I12x\n")), "malformed pickle");
    }
}
