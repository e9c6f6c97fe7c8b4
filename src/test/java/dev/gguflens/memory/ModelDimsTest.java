package dev.gguflens.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.MetadataEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What llama.cpp's loader would refuse to load is a format error naming the key. */
class ModelDimsTest {

    @Test
    void missingKeysAreNamed() {
        GgufFormatException noWidth = assertThrows(GgufFormatException.class,
                () -> Hparams.of("llama").u32("block_count", 2).dims());
        assertEquals("key 'llama.embedding_length' is missing: llama.cpp cannot load the model", noWidth.getMessage());
        GgufFormatException noArch = assertThrows(GgufFormatException.class, () -> ModelDims.of(List.of(), List.of()));
        assertEquals("key 'general.architecture' is missing: llama.cpp cannot load the model", noArch.getMessage());
        GgufFormatException noWindow = assertThrows(GgufFormatException.class,
                () -> Hparams.transformer("cohere2", 8192, 4096, 32, 32, 8, 14336, 256000).dims());
        assertEquals("key 'cohere2.attention.sliding_window' is missing: llama.cpp cannot load the model", noWindow.getMessage());
    }

    @Test
    void perLayerArraysMustCoverEveryLayer() {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> Hparams.of("llama").u32("embedding_length", 256)
                .u32("block_count", 4).u32("attention.head_count", 8).array("attention.head_count_kv", 2, 2).dims());
        assertEquals("key 'llama.attention.head_count_kv' has 2 values for 4 layers: llama.cpp cannot load the model", e.getMessage());
    }

    @Test
    void wrongTypesAreNamed() {
        List<MetadataEntry> md = new ArrayList<>(Hparams.of("llama").u32("block_count", 2).metadata());
        md.add(new MetadataEntry("llama.embedding_length", GgufValue.Str.of("wide")));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> ModelDims.of(md, List.of()));
        assertEquals("key 'llama.embedding_length' must be a non-negative integer but is STRING wide", e.getMessage());
    }

    @Test
    void headWidthsDefaultToTheEmbeddingOverHeads() throws Exception {
        ModelDims d = Hparams.transformer("qwen2", 32768, 896, 24, 14, 2, 4864, 151936).dims();
        assertEquals(64, d.headDimK());
        assertEquals(64, d.headDimV());
        assertEquals(128, d.kRow(0));
        assertEquals(151936, d.vocab());
        assertEquals(ModelDims.Memory.KV_CACHE, d.memory());
    }
}
