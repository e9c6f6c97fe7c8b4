package dev.gguflens.sim;

import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The row pipeline shared by the error engine and the file writer: cuts tensors into chunks of whole
 * rows, runs a worker on each chunk on a fixed pool of threads, and hands the results back in order
 * (tensor order, then row order; with a lead-in, the order in which chunks were submitted) on the caller's thread.
 *
 * <p>Memory stays bounded whatever the model's size: at most {@code 2 x threads} chunks are in flight
 * (submitted and not yet taken), and a chunk is submitted only when the caller takes a result, so a slow
 * consumer (the disk) holds the workers back instead of piling results up. Chunks of later tensors are
 * worked on while earlier ones are still being consumed, so small tensors keep every core busy too.
 */
public final class RowPipeline implements AutoCloseable {
    private final PipelineSettings settings;
    private final Cancellation cancel;
    private final ThreadPoolExecutor pool;

    /** A tensor to cut into chunks: its row length, row count and the values a chunk should hold. */
    public record Job(long rowLength, long rows, long chunkElements) {
        public Job {
            if (rowLength < 0 || rows < 0 || chunkElements < 1) {
                throw new IllegalArgumentException("bad job: rows of " + rowLength + ", " + rows + " rows, chunks of " + chunkElements);
            }
            if (rowLength > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("rows of " + rowLength + " values are longer than gguflens can hold in one chunk");
            }
        }

        /** Rows per chunk: as many whole rows as fit in {@code chunkElements}, at least one. */
        public long rowsPerChunk() {
            if (rowLength == 0) {
                return Math.max(rows, 1);
            }
            return Math.max(1, Math.min(chunkElements, Integer.MAX_VALUE) / rowLength);
        }

        /** The number of chunks (0 for a tensor without values). */
        public long chunks() {
            return rows == 0 || rowLength == 0 ? 0 : (rows + rowsPerChunk() - 1) / rowsPerChunk();
        }
    }

    /**
     * One chunk: rows {@code [firstRow, firstRow + rows)} of job {@code job}.
     *
     * @param job          index of the job in the list given to {@link #run}
     * @param index        the chunk's position within its job
     * @param firstRow     the first row
     * @param rows         rows in the chunk
     * @param firstElement {@code firstRow x rowLength}
     * @param elements     {@code rows x rowLength}
     * @param last         whether it is the job's last chunk
     */
    public record Chunk(int job, long index, long firstRow, int rows, long firstElement, int elements, boolean last) {
    }

    /** Works on one chunk, on a pool thread. Exceptions end the run and reach the caller from {@link Results#next()}. */
    @FunctionalInterface
    public interface Worker<R> {
        R process(Chunk chunk);
    }

    /**
     * Fetches what a chunk's worker needs, on the caller's thread, one chunk after the other in chunk order:
     * the way to feed the workers from a stream that can only be read front to back. Runs just before the
     * chunk is submitted, so at most the window's chunks are held at once.
     */
    @FunctionalInterface
    public interface Loader<D> {
        D load(Chunk chunk);
    }

    /** Works on one chunk with what the {@link Loader} fetched for it, on a pool thread. */
    @FunctionalInterface
    public interface LoadedWorker<D, R> {
        R process(Chunk chunk, D data);
    }

    /** A finished chunk and what the worker made of it. */
    public record Done<R>(Chunk chunk, R value) {
    }

    public RowPipeline(PipelineSettings settings, Cancellation cancel) {
        this.settings = settings;
        this.cancel = cancel;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "gguflens-worker-" + n.incrementAndGet());
            t.setDaemon(true); // a worker must never keep the JVM alive after Ctrl-C
            return t;
        };
        this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), daemons);
    }

    public PipelineSettings settings() {
        return settings;
    }

    /** Starts running {@code worker} over every chunk of {@code jobs}; take the results in order from the returned stream. */
    public <R> Results<R> run(List<Job> jobs, Worker<R> worker) {
        return run(jobs, c -> null, (c, ignored) -> worker.process(c));
    }

    /**
     * As {@link #run(List, Worker)}, with each chunk's data fetched by {@code loader} on the caller's thread
     * (in chunk order, as results are taken) and handed to {@code worker} with the chunk.
     */
    public <D, R> Results<R> run(List<Job> jobs, Loader<D> loader, LoadedWorker<D, R> worker) {
        return run(jobs, List.of(), loader, worker);
    }

    /**
     * As {@link #run(List, Loader, LoadedWorker)}, but the first {@value #LEAD_IN_CHUNKS} chunks of each job listed in
     * {@code leadIn} are submitted first, dealt round robin (job {@code leadIn[0]}'s chunk 0, {@code leadIn[1]}'s chunk
     * 0, ..., then each one's chunk 1, ...); the other chunks follow in job order. Each job's chunks still come in chunk
     * order, but results now come in submission order, so chunks of different jobs interleave: the caller routes them by
     * {@link Chunk#job()}.
     *
     * <p>Why: the codecs run hundreds of times slower until the JIT compiler has compiled them, and it compiles a codec
     * only once it has run for a while. Run job after job, a model's second codec (Q4_K_M's Q4_K after its output
     * tensor's Q6_K) starts its warm-up only when the first codec's is over; dealt out together, both warm up at once.
     */
    public <D, R> Results<R> run(List<Job> jobs, List<Integer> leadIn, Loader<D> loader, LoadedWorker<D, R> worker) {
        return new Results<>(List.copyOf(jobs), List.copyOf(leadIn), loader, worker);
    }

    /**
     * Chunks per job of a lead-in (about a million values at the default chunk size). What matters is that the lead jobs
     * start together: 1, 4 and 16 measured the same (bench/README.md).
     */
    static final int LEAD_IN_CHUNKS = 4;

    /** Results in submission order (chunk order without a lead-in); pulling one lets the next chunk start. Use from one thread. */
    public final class Results<R> {
        private final List<Job> jobs;
        private final Loader<?> loader;
        private final LoadedWorker<?, R> worker;
        private final ArrayDeque<Future<Done<R>>> inFlight = new ArrayDeque<>();
        private final int window = 2 * settings.threads();
        private final List<Integer> leadIn;
        /** Per job, its next chunk to submit. */
        private final long[] next;
        /** The next slot of the lead-in (round {@code slot / leadIn.size()}, job {@code leadIn[slot % leadIn.size()]}). */
        private int slot;
        /** After the lead-in: the job whose chunks are being submitted. */
        private int job;

        private <D> Results(List<Job> jobs, List<Integer> leadIn, Loader<D> loader, LoadedWorker<D, R> worker) {
            this.jobs = jobs;
            this.leadIn = leadIn;
            this.next = new long[jobs.size()];
            this.loader = loader;
            this.worker = worker;
            for (int j : leadIn) {
                if (j < 0 || j >= jobs.size()) {
                    throw new IllegalArgumentException("lead-in job " + j + " is not one of the " + jobs.size() + " jobs");
                }
            }
            if (leadIn.stream().distinct().count() != leadIn.size()) {
                throw new IllegalArgumentException("a job is listed twice in the lead-in " + leadIn);
            }
            fill();
        }

        public boolean hasNext() {
            return !inFlight.isEmpty();
        }

        /**
         * The next chunk's result, waiting for it if needed.
         *
         * @throws CancelledException when the run was cancelled (or this thread interrupted)
         * @throws RuntimeException   what the worker threw (e.g. {@link TensorAbortException})
         */
        public Done<R> next() {
            Future<Done<R>> head = inFlight.poll();
            if (head == null) {
                throw new NoSuchElementException();
            }
            Done<R> done;
            try {
                done = await(head);
                fill();
            } catch (RuntimeException | Error e) {
                abandon();
                throw e;
            }
            return done;
        }

        private Done<R> await(Future<Done<R>> f) {
            while (true) {
                cancel.check();
                try {
                    // Poll rather than block, so Ctrl-C is seen within a tenth of a second even during a long chunk.
                    return f.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // keep waiting
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancelledException();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(c);
                }
            }
        }

        /** Submits chunks until the window is full or none are left. */
        private void fill() {
            while (inFlight.size() < window) {
                int j = advance();
                if (j < 0) {
                    break;
                }
                Chunk c = chunk(j, next[j]++);
                cancel.check();
                inFlight.add(submit(c, loader, worker));
            }
        }

        @SuppressWarnings("unchecked")
        private <D> Future<Done<R>> submit(Chunk c, Loader<D> load, LoadedWorker<?, R> work) {
            D data = load.load(c);
            LoadedWorker<D, R> w = (LoadedWorker<D, R>) work;
            return pool.submit(() -> {
                cancel.check();
                return new Done<>(c, w.process(c, data));
            });
        }

        /** The job whose next chunk is submitted next: from the lead-in while it lasts, then in job order; -1 when all are submitted. */
        private int advance() {
            for (; slot < LEAD_IN_CHUNKS * leadIn.size(); slot++) {
                int j = leadIn.get(slot % leadIn.size());
                if (next[j] == slot / leadIn.size() && next[j] < jobs.get(j).chunks()) {
                    slot++;
                    return j;
                }
            }
            while (job < jobs.size() && next[job] >= jobs.get(job).chunks()) {
                job++;
            }
            return job < jobs.size() ? job : -1;
        }

        private Chunk chunk(int job, long index) {
            Job j = jobs.get(job);
            long per = j.rowsPerChunk();
            long first = index * per;
            int rows = (int) Math.min(per, j.rows() - first);
            return new Chunk(job, index, first, rows, first * j.rowLength(), Math.toIntExact(rows * j.rowLength()),
                    first + rows == j.rows());
        }

        /**
         * Drops the chunks still in flight after a failure: their results would be thrown away anyway. A chunk already
         * running finishes on its own (no interrupt: workers read the file through a channel that an interrupt would
         * close for every thread, see {@code GgufFile.readTensorBytes}).
         */
        private void abandon() {
            for (Future<Done<R>> f : inFlight) {
                f.cancel(false);
            }
            inFlight.clear();
            slot = LEAD_IN_CHUNKS * leadIn.size();
            job = jobs.size();
        }
    }

    /** Stops the workers: chunks not started never run; one in progress finishes, unheard (never interrupted, as above). */
    @Override
    public void close() {
        pool.getQueue().clear();
        pool.shutdown();
    }
}
