package io.jgrok.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The "did you mean" of a misspelled flag: the nearest flag, a synonym only when nothing is nearer. */
class FlagSuggestionsTest {
    @Test
    void theNearestFlagWinsOverASynonymFartherAway() {
        // "treads" is one letter from --threads and two from "heads" (another tool's name for --n_heads).
        assertEquals("threads", FlagSuggestions.closest("--treads", TrainCommand.options()));
        assertEquals("threads", FlagSuggestions.closest("--thread", TrainCommand.options()));
        assertEquals("n_heads", FlagSuggestions.closest("--heads", TrainCommand.options()));
        assertEquals("n_heads", FlagSuggestions.closest("--head", TrainCommand.options()));
        assertEquals("lr", FlagSuggestions.closest("--learning-rate", TrainCommand.options()));
        assertEquals("weight_decay", FlagSuggestions.closest("--wd", TrainCommand.options()));
        assertEquals("n_epochs", FlagSuggestions.closest("--epochs", TrainCommand.options()));
        assertEquals("n_epochs", FlagSuggestions.closest("--n_epoch", TrainCommand.options()));
        assertEquals("out", FlagSuggestions.closest("--output", TrainCommand.options()));
        assertEquals("threads", FlagSuggestions.closest("--treads", AnalyzeCommand.options()));
        assertNull(FlagSuggestions.closest("--zzzzzz", TrainCommand.options()));
    }
}
