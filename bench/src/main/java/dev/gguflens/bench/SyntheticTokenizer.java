package dev.gguflens.bench;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.MetadataEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A made-up byte-level BPE tokenizer shaped like a large-vocabulary model's (Llama 3: 128,000 regular
 * tokens, 256 special tokens, 280,147 merges), deterministic for a seed.
 *
 * <p>The point is a header whose arrays cost what real ones cost to parse and walk: strings of realistic
 * lengths, stored as GPT-2-style byte-level text (a leading space is {@code Ġ}, non-ASCII bytes become
 * two-byte UTF-8 characters), with a share of Cyrillic and CJK words and punctuation runs.
 *
 * @param tokens     the vocabulary, regular tokens first, special tokens last
 * @param tokenTypes llama.cpp token types: 1 normal, 3 control
 * @param scores     one score per token (the negated rank for regular tokens, 0 for special ones)
 * @param merges     "left right" merge rules, each side a token
 * @param bos        id of the begin-of-text token
 * @param eos        id of the end-of-turn token
 */
public record SyntheticTokenizer(List<String> tokens, int[] tokenTypes, float[] scores, List<String> merges, int bos, int eos) {

    /** Llama 3's sizes. */
    public static final int LLAMA3_VOCAB = 128_256, LLAMA3_SPECIAL = 256, LLAMA3_MERGES = 280_147;

    private static final int NORMAL = 1, CONTROL = 3;
    private static final String[] NAMED_SPECIALS = {
        "<|begin_of_text|>", "<|end_of_text|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
        "<|start_header_id|>", "<|end_header_id|>", "<|tool_call|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>",
    };
    private static final String LETTERS = "eeeeeeeeeeeetttttttttaaaaaaaaoooooooiiiiiiinnnnnnnssssssrrrrrrhhhhhhdddllllcccuuummwwffggyyppbbvkjxqz";
    private static final String PUNCTUATION = ".,;:!?()[]{}<>-_=+*/'\"#@$%&|~`^\n\t";
    private static final char[] BYTE_TO_CHAR = byteLevelAlphabet();

    /** A tokenizer of Llama 3's sizes. */
    public static SyntheticTokenizer llama3Like(long seed) {
        return generate(LLAMA3_VOCAB, LLAMA3_SPECIAL, LLAMA3_MERGES, seed);
    }

    /** A tokenizer of {@code vocab} tokens (the last {@code specials} of them special) and {@code mergeCount} merges. */
    public static SyntheticTokenizer generate(int vocab, int specials, int mergeCount, long seed) {
        if (specials < NAMED_SPECIALS.length || vocab < specials + 256 + 1) {
            throw new IllegalArgumentException("a vocabulary of " + vocab + " is too small: it holds 256 byte tokens, " + specials
                    + " special tokens (at least " + NAMED_SPECIALS.length + ") and at least one more, so at least " + (specials + 257));
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int regular = vocab - specials;
        List<String> tokens = new ArrayList<>(vocab);
        Set<String> seen = new HashSet<>(vocab * 2);
        // Byte-level BPE starts from one token per byte value.
        for (int b = 0; b < 256; b++) {
            String t = String.valueOf(BYTE_TO_CHAR[b]);
            tokens.add(t);
            seen.add(t);
        }
        while (tokens.size() < regular) {
            String t = byteLevel(word(rnd));
            if (seen.add(t)) {
                tokens.add(t);
            }
        }
        for (int i = 0; i < specials; i++) {
            tokens.add(i < NAMED_SPECIALS.length ? NAMED_SPECIALS[i] : "<|reserved_special_token_" + (i - NAMED_SPECIALS.length) + "|>");
        }
        int[] types = new int[vocab];
        float[] scores = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            types[i] = i < regular ? NORMAL : CONTROL;
            scores[i] = i < regular ? -i : 0f;
        }
        List<String> named = List.of(NAMED_SPECIALS);
        return new SyntheticTokenizer(List.copyOf(tokens), types, scores, merges(tokens, regular, mergeCount, rnd),
                regular + named.indexOf("<|begin_of_text|>"), regular + named.indexOf("<|eot_id|>"));
    }

    /** The {@code tokenizer.ggml.*} entries, in the order llama.cpp's converter writes them. */
    public List<MetadataEntry> metadata(String chatTemplate) {
        List<MetadataEntry> m = new ArrayList<>();
        m.add(new MetadataEntry("tokenizer.ggml.model", GgufValue.Str.of("gpt2")));
        m.add(new MetadataEntry("tokenizer.ggml.pre", GgufValue.Str.of("llama-bpe")));
        m.add(new MetadataEntry("tokenizer.ggml.tokens", GgufArray.ofStrings(tokens)));
        m.add(new MetadataEntry("tokenizer.ggml.token_type", GgufArray.ofInt32(tokenTypes)));
        m.add(new MetadataEntry("tokenizer.ggml.scores", GgufArray.ofFloat32(scores)));
        m.add(new MetadataEntry("tokenizer.ggml.merges", GgufArray.ofStrings(merges)));
        m.add(new MetadataEntry("tokenizer.ggml.bos_token_id", GgufValue.Int.u32(bos)));
        m.add(new MetadataEntry("tokenizer.ggml.eos_token_id", GgufValue.Int.u32(eos)));
        m.add(new MetadataEntry("tokenizer.chat_template", GgufValue.Str.of(chatTemplate)));
        return m;
    }

    /** One word before byte-level encoding: mostly Latin, sometimes digits, punctuation, Cyrillic or CJK. */
    private static String word(SplittableRandom rnd) {
        int kind = rnd.nextInt(100);
        StringBuilder s = new StringBuilder();
        if (kind < 4) {
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                s.append((char) ('0' + rnd.nextInt(10)));
            }
            return s.toString();
        }
        if (kind < 9) {
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                s.append(PUNCTUATION.charAt(rnd.nextInt(PUNCTUATION.length())));
            }
            return s.toString();
        }
        boolean leadingSpace = rnd.nextInt(100) < 60;
        if (leadingSpace) {
            s.append(' ');
        }
        if (kind < 14) {
            int n = 2 + rnd.nextInt(6);
            for (int i = 0; i < n; i++) {
                s.append((char) (0x0430 + rnd.nextInt(32)));
            }
        } else if (kind < 18) {
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                s.append((char) (0x4E00 + rnd.nextInt(0x5000)));
            }
        } else {
            // Lengths 2..9 with a mean near 5.5, and a tail of long words as real vocabularies have.
            int n = 2 + rnd.nextInt(4) + rnd.nextInt(5) + (rnd.nextInt(20) == 0 ? rnd.nextInt(10) : 0);
            for (int i = 0; i < n; i++) {
                char c = LETTERS.charAt(rnd.nextInt(LETTERS.length()));
                s.append(i == 0 && rnd.nextInt(10) == 0 ? Character.toUpperCase(c) : c);
            }
        }
        return s.toString();
    }

    /** Merges: mostly a token split in two at a random point, else two short tokens side by side. */
    private static List<String> merges(List<String> tokens, int regular, int count, SplittableRandom rnd) {
        List<String> out = new ArrayList<>(count);
        Set<String> seen = new HashSet<>(count * 2);
        long attempts = 0;
        while (out.size() < count) {
            if (++attempts > 20L * count + 1000) {
                throw new IllegalArgumentException("cannot make " + count + " distinct merges from " + regular
                        + " tokens: ask for fewer merges or a larger vocabulary");
            }
            String m;
            String t = tokens.get(256 + rnd.nextInt(regular - 256));
            if (t.length() >= 2 && rnd.nextInt(4) != 0) {
                int cut = 1 + rnd.nextInt(t.length() - 1);
                m = t.substring(0, cut) + " " + t.substring(cut);
            } else {
                int frequent = Math.min(regular, 20_000);
                m = tokens.get(rnd.nextInt(frequent)) + " " + tokens.get(rnd.nextInt(frequent));
            }
            if (seen.add(m)) {
                out.add(m);
            }
        }
        return List.copyOf(out);
    }

    /** The text as a byte-level BPE vocabulary stores it: each UTF-8 byte replaced by its printable stand-in. */
    static String byteLevel(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * GPT-2's byte-level alphabet: bytes that are printable Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for
     * themselves; the other 68 (controls, space, soft hyphen...) take the code points from 256 up, in byte order.
     */
    private static char[] byteLevelAlphabet() {
        char[] map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) next++;
        }
        return map;
    }
}
