package com.neurasea.quota;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.UsageRecord;
import com.neurasea.spi.Settlement;
import java.time.LocalDate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * A settlement journal in memory-mapped segment files. An entry is in the operating system's page
 * cache the moment {@link #append} returns, so it survives the process being killed (even with
 * SIGKILL) without a system call per entry. It is not forced to disk as it goes: an msync makes the
 * pages under writeback stable, and every request thread writing to them waits for the disk (measured:
 * 5x slower). Against a crash of the whole machine, what the operating system had not yet written back
 * (its dirty-page delay, seconds) may be lost; the store has everything up to the last batch written.
 * Close forces what is left.
 * Segments whose entries are all in the store are deleted.
 *
 * <p>Entry format: a 4-byte length, a 4-byte CRC-32C of the payload, the payload
 * ({@link SettlementCodec}). A zero length ends a segment; a bad CRC (an entry torn by the crash)
 * ends recovery of that segment.
 */
final class MappedJournal implements SettlementJournal {
  static final int DEFAULT_SEGMENT_BYTES = 16 << 20;
  private static final String HOST_FILE = "host-id";
  private static final int HEADER = 8;
  private static final ThreadLocal<SettlementCodec.Out> BUFFERS = ThreadLocal.withInitial(SettlementCodec.Out::new);
  private static final ThreadLocal<CRC32C> CRCS = ThreadLocal.withInitial(CRC32C::new);

  private record Segment(Path path, FileChannel channel, MappedByteBuffer buffer, long firstSequence) {}

  private final Path directory;
  private final int segmentBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final String hostId;
  private final List<Object> recovered;
  private final Deque<Segment> full = new ArrayDeque<>();
  /** Last sequence of each full segment, parallel to {@link #full}. */
  private final Deque<Long> fullLast = new ArrayDeque<>();
  private volatile Segment current;
  private int position;
  private long sequence;
  private volatile boolean closed;

  private MappedJournal(Path directory, int segmentBytes, String defaultHostId) throws IOException {
    this.directory = directory;
    this.segmentBytes = segmentBytes;
    Files.createDirectories(directory);
    this.lockChannel = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock acquired;
    try {
      acquired = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      acquired = null;
    }
    if (acquired == null) {
      lockChannel.close();
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the quota journal " + directory
          + " is in use by another instance; give each instance its own");
    }
    this.lock = acquired;
    try {
      this.hostId = hostId(directory, defaultHostId);
      this.recovered = readAll();
      this.current = newSegment(0);
    } catch (RuntimeException | IOException e) {
      // Nothing is held after a failed open: the next attempt (or another instance) may have it.
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  /**
   * Opens (creating if needed) a journal directory, reading what an earlier process left in it.
   *
   * @param directory the directory, used by one instance at a time
   * @param hostId the host id to use if the directory has none yet, or null to make one up
   * @param segmentBytes the size of a segment file
   * @return the journal
   * @throws IllegalStateException when another instance has it open
   */
  static MappedJournal open(Path directory, String hostId, int segmentBytes) {
    try {
      return new MappedJournal(directory, segmentBytes, hostId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the quota journal " + directory, e);
    }
  }

  /** The host id kept in the directory (the first one given, or a made-up one). */
  String hostId() {
    return hostId;
  }

  /**
   * What earlier processes left: {@link Settlement}s and {@link SettlementCodec.Opened}s, in order.
   * Some may already be in the store; the store skips those by request id.
   */
  List<Object> recovered() {
    return recovered;
  }

  /** Deletes what earlier processes left, once it is all in the store. */
  synchronized void recoveredWritten() {
    deleteSegments(current.path);
    recovered.clear();
  }

  @Override
  public long append(UsageRecord usage, LocalDate day, LocalPool[] pools, long[] amounts) {
    SettlementCodec.Out out = BUFFERS.get();
    out.reset();
    SettlementCodec.writeSettlement(out, usage, day, pools, amounts);
    return put(out);
  }

  @Override
  public void opened(Reservation reservation) {
    SettlementCodec.Out out = BUFFERS.get();
    out.reset();
    SettlementCodec.writeOpened(out, reservation);
    put(out);
  }

  private long put(SettlementCodec.Out out) {
    CRC32C crc = CRCS.get();
    crc.reset();
    crc.update(out.bytes, 0, out.length);
    int checksum = (int) crc.getValue();
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the quota journal is closed");
      }
      if (position + HEADER + out.length + 4 > segmentBytes) {
        roll(out.length);
      }
      MappedByteBuffer buffer = current.buffer;
      buffer.put(position + HEADER, out.bytes, 0, out.length);
      buffer.putInt(position + 4, checksum);
      buffer.putInt(position, out.length);
      position += HEADER + out.length;
      return ++sequence;
    }
  }

  private void roll(int needed) {
    if (HEADER + needed + 4 > segmentBytes) {
      throw new IllegalArgumentException("a journal entry of " + needed + " bytes does not fit a segment");
    }
    full.add(current);
    fullLast.add(sequence);
    current = newSegment(sequence + 1);
    position = 0;
  }

  @Override
  public synchronized void written(long upTo) {
    while (!full.isEmpty() && fullLast.peek() <= upTo) {
      Segment done = full.poll();
      fullLast.poll();
      release(done, true);
    }
  }

  @Override
  public void close() {
    close(false);
  }

  /**
   * Closes the journal, deleting every segment first when all their settlements are in the store
   * (a clean stop), while the directory is still locked: no other instance can have written there.
   *
   * @param allWritten whether every settlement appended is in the store
   */
  synchronized void close(boolean allWritten) {
    if (closed) {
      return;
    }
    closed = true;
    current.buffer.force();
    for (Segment segment : full) {
      release(segment, false);
    }
    release(current, false);
    try {
      if (allWritten) {
        deleteSegments(null);
      }
    } finally {
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Deletes the segment files, all but {@code keep} (null: all). */
  private void deleteSegments(Path keep) {
    try (DirectoryStream<Path> segments = Files.newDirectoryStream(directory, "seg-*.log")) {
      for (Path path : segments) {
        if (!path.equals(keep)) {
          Files.deleteIfExists(path);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void release(Segment segment, boolean delete) {
    try {
      segment.channel.close();
      if (delete) {
        Files.deleteIfExists(segment.path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Segment newSegment(long firstSequence) {
    try {
      Path path = directory.resolve(String.format("seg-%s-%016d.log", UUID.randomUUID().toString().substring(0, 8),
          firstSequence));
      FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
      return new Segment(path, channel, buffer, firstSequence);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a quota journal segment in " + directory, e);
    }
  }

  private List<Object> readAll() throws IOException {
    List<Path> paths = new ArrayList<>();
    try (DirectoryStream<Path> segments = Files.newDirectoryStream(directory, "seg-*.log")) {
      segments.forEach(paths::add);
    }
    // Oldest first: by modification time, then name (a rolled segment is never written again).
    paths.sort((a, b) -> {
      try {
        int byTime = Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
        return byTime != 0 ? byTime : a.compareTo(b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    List<Object> entries = new ArrayList<>();
    for (Path path : paths) {
      byte[] bytes = Files.readAllBytes(path);
      int at = 0;
      CRC32C crc = new CRC32C();
      while (at + HEADER <= bytes.length) {
        int length = readInt(bytes, at);
        if (length <= 0 || at + HEADER + length > bytes.length) {
          break;
        }
        crc.reset();
        crc.update(bytes, at + HEADER, length);
        if ((int) crc.getValue() != readInt(bytes, at + 4)) {
          break;
        }
        byte[] payload = new byte[length];
        System.arraycopy(bytes, at + HEADER, payload, 0, length);
        entries.add(SettlementCodec.read(payload, hostId));
        at += HEADER + length;
      }
    }
    return entries;
  }

  private static int readInt(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
        | (bytes[at + 3] & 0xff);
  }

  private static String hostId(Path directory, String wanted) throws IOException {
    Path file = directory.resolve(HOST_FILE);
    if (Files.exists(file)) {
      String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (wanted != null && !wanted.equals(stored)) {
        throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the quota journal " + directory + " belongs to host " + stored
            + ", not " + wanted);
      }
      return stored;
    }
    String id = wanted != null ? wanted : "host-" + UUID.randomUUID().toString().substring(0, 8);
    Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
    return id;
  }
}
