package dev.gguflens.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds the GGUF file behind an Ollama model name in Ollama's local store, the way Ollama lays it out:
 * {@code MODELS/manifests/HOST/NAMESPACE/MODEL/TAG} is an OCI-style JSON manifest whose layer of media
 * type {@code application/vnd.ollama.image.model} names the model's blob by digest, stored as
 * {@code MODELS/blobs/sha256-HEX}. MODELS is {@code $OLLAMA_MODELS}, else {@code ~/.ollama/models}.
 *
 * <p>Names are Ollama's: {@code [HOST/][NAMESPACE/]MODEL[:TAG]}, with NAMESPACE {@code library} and TAG
 * {@code latest} when left out ({@code llama3.2}, {@code llama3.2:1b}, {@code someone/model:q4},
 * {@code hf.co/org/repo-GGUF:Q4_K_M}). A name without a host is looked for under every host folder of
 * the store (Ollama's default registry is one of them; gguflens does not name it): found under one, it
 * is that one; under several, the user is asked to name the host. Ollama versions differ in whether
 * they lower-case the manifest path, so a path part that does not exist as typed is matched ignoring case.
 */
final class OllamaStore {
    /** How a command-line FILE names an Ollama model. */
    static final String PREFIX = "ollama:";
    static final String MODEL_LAYER = "application/vnd.ollama.image.model";
    static final String DEFAULT_NAMESPACE = "library";
    static final String DEFAULT_TAG = "latest";
    /** Ollama's own check of a blob digest; it also keeps a crafted manifest from naming a path outside the store. */
    private static final Pattern DIGEST = Pattern.compile("sha256[:-][0-9a-fA-F]{64}");
    /** Ollama's characters of a name part (a host may also hold a port). */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(:[0-9]+)?");
    /** Models listed at most in the message for a missing one (it is one line). */
    private static final int LISTED = 30;

    private final Path root;

    OllamaStore(Path root) {
        this.root = root;
    }

    /** The store's folder. */
    Path root() {
        return root;
    }

    /** The store Ollama itself would use: {@code $OLLAMA_MODELS}, else {@code ~/.ollama/models}. */
    static OllamaStore of(Map<String, String> env, String home) {
        String dir = env.get("OLLAMA_MODELS");
        return new OllamaStore(dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(home, ".ollama", "models"));
    }

    /** A model name split into the four parts of its manifest path; the host is null when the name has none. */
    record Name(String host, String namespace, String model, String tag) {
        /** As {@code ollama list} shows it, near enough: the host left out for the default namespace or when not typed. */
        String display() {
            String prefix = namespace.equals(DEFAULT_NAMESPACE) ? "" : (host == null ? "" : host + "/") + namespace + "/";
            return prefix + model + ":" + tag;
        }

        /** The name in full, host included (when known). */
        String full() {
            return (host == null ? "" : host + "/") + namespace + "/" + model + ":" + tag;
        }
    }

    /** Parses Ollama's {@code [HOST/][NAMESPACE/]MODEL[:TAG]}; null when it is not a name Ollama accepts. */
    static Name parse(String s) {
        String[] slash = s.split("/", -1);
        if (slash.length > 3) {
            return null;
        }
        String last = slash[slash.length - 1];
        int colon = last.indexOf(':');
        String model = colon < 0 ? last : last.substring(0, colon);
        String tag = colon < 0 ? DEFAULT_TAG : last.substring(colon + 1);
        String namespace = slash.length >= 2 ? slash[slash.length - 2] : DEFAULT_NAMESPACE;
        String host = slash.length == 3 ? slash[0] : null;
        if (!PART.matcher(model).matches() || !PART.matcher(tag).matches() || !PART.matcher(namespace).matches()
                || namespace.contains(".") || (host != null && !HOST.matcher(host).matches())) {
            return null;
        }
        return new Name(host, namespace, model, tag);
    }

    /**
     * The model blob of {@code typed} ({@code ollama:NAME[:TAG]}).
     *
     * @throws FileFailure naming {@code typed}: exit 2 for a name Ollama would not accept, 5 for a missing
     *                     store, model or blob (listing the models there), 3 for a manifest that is not one
     */
    Path blob(Path typed) throws FileFailure {
        String text = typed.toString().substring(PREFIX.length());
        Name name = parse(text);
        if (name == null) {
            throw new FileFailure(typed, "'" + text + "' is not an Ollama model name: expected ollama:[HOST/][NAMESPACE/]MODEL[:TAG],"
                    + " e.g. ollama:llama3.2 or ollama:llama3.2:1b", ExitCode.USAGE, null);
        }
        if (!Files.isDirectory(root)) {
            throw new FileFailure(typed, "no Ollama model store at " + root + " (set OLLAMA_MODELS to the folder Ollama keeps"
                    + " its models in)", ExitCode.IO, null);
        }
        Path manifest = manifest(typed, name);
        if (manifest == null) {
            List<String> there = models();
            throw new FileFailure(typed, "no model " + name.display() + " in " + root + "; "
                    + (there.isEmpty() ? "it has no models (ollama pull " + name.display() + ")"
                    : "models there: " + String.join(", ", there.subList(0, Math.min(LISTED, there.size())))
                    + (there.size() > LISTED ? " and " + (there.size() - LISTED) + " more" : "")), ExitCode.IO, null);
        }
        String digest;
        try {
            digest = modelDigest(manifest);
        } catch (JsonProcessingException e) {
            throw new FileFailure(typed, "its manifest " + manifest + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")", ExitCode.INVALID_GGUF, e);
        } catch (IOException e) {
            throw new FileFailure(typed, "its manifest " + manifest + ": " + InputFiles.reason(e), ExitCode.IO, e);
        }
        if (digest == null) {
            throw new FileFailure(typed, "its manifest " + manifest + " has no layer of type " + MODEL_LAYER
                    + ", so it holds no GGUF model", ExitCode.INVALID_GGUF, null);
        }
        if (!DIGEST.matcher(digest).matches()) {
            throw new FileFailure(typed, "its manifest " + manifest + " names the model blob '" + digest
                    + "', which is not a sha256 digest", ExitCode.INVALID_GGUF, null);
        }
        Path blobs = root.resolve("blobs");
        Path blob = blobs.resolve(digest.replace(':', '-'));
        if (!Files.exists(blob)) {
            // Ollama's first versions named blobs with the colon; it renames them when it starts.
            Path old = blobs.resolve(digest.replace('-', ':'));
            if (Files.exists(old)) {
                return old;
            }
            throw new FileFailure(typed, "its model blob " + blob + " is missing (an interrupted pull? ollama pull "
                    + name.display() + ")", ExitCode.IO, null);
        }
        return blob;
    }

    /**
     * The manifest of {@code name}: under its host, or for a name without one under the one host folder
     * that has it; null when there is none.
     *
     * @throws FileFailure (usage) when a name without a host is under several hosts
     */
    private Path manifest(Path typed, Name name) throws FileFailure {
        Path manifests = root.resolve("manifests");
        if (name.host() != null) {
            Path m = find(manifests, name.host(), name.namespace(), name.model(), name.tag());
            return m != null && Files.isRegularFile(m) ? m : null;
        }
        List<Path> found = new ArrayList<>();
        for (Path host : children(manifests)) {
            Path m = find(host, name.namespace(), name.model(), name.tag());
            if (m != null && Files.isRegularFile(m)) {
                found.add(m);
            }
        }
        if (found.size() > 1) {
            List<String> hosts = found.stream().map(m -> manifests.relativize(m).getName(0).toString()).sorted().toList();
            throw new FileFailure(typed, name.display() + " is in the store under several hosts (" + String.join(", ", hosts)
                    + "); name one, e.g. ollama:" + hosts.getFirst() + "/" + name.namespace() + "/" + name.model() + ":"
                    + name.tag(), ExitCode.USAGE, null);
        }
        return found.isEmpty() ? null : found.getFirst();
    }

    /** {@code dir/a/b/...}, each part as typed when it exists, else the one entry equal to it ignoring case. */
    private static Path find(Path dir, String... parts) {
        Path p = dir;
        for (String part : parts) {
            Path exact = p.resolve(part);
            if (Files.exists(exact)) {
                p = exact;
                continue;
            }
            Path match = null;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                for (Path e : entries) {
                    if (e.getFileName().toString().equalsIgnoreCase(part)) {
                        match = e;
                        break;
                    }
                }
            } catch (IOException e) {
                return null;
            }
            if (match == null) {
                return null;
            }
            p = match;
        }
        return p;
    }

    /** The digest of the manifest's (last, as Ollama takes it) model layer, or null when it has none. */
    static String modelDigest(Path manifest) throws IOException {
        try (InputStream in = Files.newInputStream(manifest); JsonParser p = new JsonFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "a manifest is a JSON object");
            }
            String digest = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("layers") && value == JsonToken.START_ARRAY) {
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        if (t == JsonToken.START_OBJECT) {
                            String[] layer = layer(p);
                            if (MODEL_LAYER.equals(layer[0]) && layer[1] != null) {
                                digest = layer[1];
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return digest;
        }
    }

    /** One layer object's mediaType and digest (either null when absent); the parser is left at its end. */
    private static String[] layer(JsonParser p) throws IOException {
        String[] layer = new String[2];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING && field.equals("mediaType")) {
                layer[0] = p.getText();
            } else if (value == JsonToken.VALUE_STRING && field.equals("digest")) {
                layer[1] = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return layer;
    }

    /** Every model of the store, as {@code ollama list} names them, sorted. */
    List<String> models() {
        List<String> names = new ArrayList<>();
        Path manifests = root.resolve("manifests");
        for (Path host : children(manifests)) {
            for (Path ns : children(host)) {
                for (Path model : children(ns)) {
                    for (Path tag : children(model)) {
                        if (Files.isRegularFile(tag)) {
                            names.add(new Name(host.getFileName().toString(), ns.getFileName().toString(),
                                    model.getFileName().toString(), tag.getFileName().toString()).display());
                        }
                    }
                }
            }
        }
        names.sort(null);
        return names;
    }

    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(out::add);
        } catch (IOException e) {
            // An unreadable folder lists nothing: this only feeds the message about a missing model.
        }
        return out;
    }
}
