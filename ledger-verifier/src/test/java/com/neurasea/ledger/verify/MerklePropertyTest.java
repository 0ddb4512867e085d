package com.neurasea.ledger.verify;

import static com.neurasea.ledger.verify.Rfc6962VectorsTest.assertAllRejected;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Randomized properties of generation and verification, checked against an independent model. */
class MerklePropertyTest {

  private static final long SEED = 0x6E65757261L;

  @Test
  void cachedLogPlainSourceAndCompactRangeAgreeOnEveryPrefixRoot() {
    MerkleLog log = new MerkleLog();
    LeafHashes plain = plainView(log);
    CompactRange range = new CompactRange();
    for (int size = 0; size <= 300; size++) {
      byte[] expected = referenceRoot(log, 0, size);
      assertThat(log.root(size)).as("cached %d", size).isEqualTo(expected);
      assertThat(MerkleTree.root(plain, size)).as("plain %d", size).isEqualTo(expected);
      assertThat(range.root()).as("range %d", size).isEqualTo(expected);
      byte[] leaf = MerkleHashes.leafHash(entry(size));
      log.append(leaf);
      range.append(leaf);
    }
  }

  @Test
  void proofsOfCachedAndPlainSourcesAreIdenticalAndHaveThePredictedLength() {
    MerkleLog log = logOf(130);
    LeafHashes plain = plainView(log);
    for (long size = 1; size <= 130; size++) {
      for (long index = 0; index < size; index++) {
        List<byte[]> proof = log.inclusionProof(index, size);
        assertThat(proof).containsExactlyElementsOf(MerkleTree.inclusionProof(plain, index, size));
        assertThat(proof).hasSize(MerkleVerifier.inclusionProofSize(index, size));
      }
      for (long size1 = 0; size1 <= size; size1++) {
        List<byte[]> proof = log.consistencyProof(size1, size);
        assertThat(proof)
            .containsExactlyElementsOf(MerkleTree.consistencyProof(plain, size1, size));
        assertThat(proof).hasSize(MerkleVerifier.consistencyProofSize(size1, size));
      }
    }
  }

  @Test
  void randomProofsVerifyAndAnySingleBitFlipIsRejected() throws ProofException {
    Random random = new Random(SEED);
    MerkleLog log = logOf(4096);
    for (int round = 0; round < 300; round++) {
      long size = 1 + random.nextInt(4096);
      long index = random.nextInt((int) size);
      byte[] root = log.root(size);
      byte[] leaf = log.leafHash(index);
      List<byte[]> proof = log.inclusionProof(index, size);
      MerkleVerifier.verifyInclusion(leaf, index, size, proof, root);

      Map<String, Rfc6962VectorsTest.Probe> probes = new LinkedHashMap<>();
      for (int element = 0; element < proof.size(); element++) {
        int mask = 1 << random.nextInt(8);
        List<byte[]> flipped = flipAt(proof, element, random.nextInt(32), mask);
        probes.put("proof[" + element + "]",
            () -> MerkleVerifier.verifyInclusion(leaf, index, size, flipped, root));
      }
      byte[] badLeaf = flipBit(leaf, random);
      probes.put("leaf", () -> MerkleVerifier.verifyInclusion(badLeaf, index, size, proof, root));
      byte[] badRoot = flipBit(root, random);
      probes.put("root", () -> MerkleVerifier.verifyInclusion(leaf, index, size, proof, badRoot));
      if (size > 1) {
        long otherIndex = (index + 1 + random.nextInt((int) size - 1)) % size;
        probes.put("index " + otherIndex,
            () -> MerkleVerifier.verifyInclusion(leaf, otherIndex, size, proof, root));
      }
      assertAllRejected(probes);
    }
  }

  @Test
  void randomConsistencyProofsVerifyAndAnySingleBitFlipIsRejected() throws ProofException {
    Random random = new Random(SEED + 1);
    MerkleLog log = logOf(4096);
    for (int round = 0; round < 300; round++) {
      long size2 = 1 + random.nextInt(4096);
      long size1 = 1 + random.nextInt((int) size2);
      byte[] root1 = log.root(size1);
      byte[] root2 = log.root(size2);
      List<byte[]> proof = log.consistencyProof(size1, size2);
      MerkleVerifier.verifyConsistency(size1, size2, proof, root1, root2);
      if (size1 == size2) {
        continue;
      }
      Map<String, Rfc6962VectorsTest.Probe> probes = new LinkedHashMap<>();
      for (int element = 0; element < proof.size(); element++) {
        List<byte[]> flipped =
            flipAt(proof, element, random.nextInt(32), 1 << random.nextInt(8));
        probes.put("proof[" + element + "]",
            () -> MerkleVerifier.verifyConsistency(size1, size2, flipped, root1, root2));
      }
      byte[] bad1 = flipBit(root1, random);
      byte[] bad2 = flipBit(root2, random);
      probes.put("root1", () -> MerkleVerifier.verifyConsistency(size1, size2, proof, bad1, root2));
      probes.put("root2", () -> MerkleVerifier.verifyConsistency(size1, size2, proof, root1, bad2));
      if (!proof.isEmpty()) {
        probes.put("truncated", () -> MerkleVerifier.verifyConsistency(
            size1, size2, proof.subList(0, proof.size() - 1), root1, root2));
      }
      assertAllRejected(probes);
    }
  }

  @Test
  void aMillionEntryLogAnswersProofsThatVerify() throws ProofException {
    int size = 1_000_000;
    MerkleLog log = new MerkleLog();
    ByteBuffer entry = ByteBuffer.allocate(8);
    for (int i = 0; i < size; i++) {
      log.appendEntry(entry.putLong(0, i).array());
    }
    byte[] root = log.root();
    // Speed is measured by JMH (issue #4's benchmark), never asserted here.
    for (long index = 0; index < size; index += 9_973) {
      List<byte[]> proof = log.inclusionProof(index, size);
      MerkleVerifier.verifyInclusion(log.leafHash(index), index, size, proof, root);
    }
    List<byte[]> consistency = log.consistencyProof(654_321, size);
    MerkleVerifier.verifyConsistency(654_321, size, consistency, log.root(654_321), root);
  }

  /** MTH computed straight from RFC 9162's recursive definition, independent of the caches. */
  private static byte[] referenceRoot(LeafHashes leaves, long start, long end) {
    long n = end - start;
    if (n == 0) {
      return MerkleHashes.emptyRoot();
    }
    if (n == 1) {
      return leaves.leafHash(start);
    }
    long k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return MerkleHashes.nodeHash(referenceRoot(leaves, start, start + k),
        referenceRoot(leaves, start + k, end));
  }

  private static MerkleLog logOf(int size) {
    MerkleLog log = new MerkleLog();
    for (int i = 0; i < size; i++) {
      log.appendEntry(entry(i));
    }
    return log;
  }

  private static byte[] entry(int i) {
    return ("entry-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The same leaves without the subtree cache, so proofs are computed from leaves alone. */
  private static LeafHashes plainView(MerkleLog log) {
    return new LeafHashes() {
      @Override
      public long size() {
        return log.size();
      }

      @Override
      public byte[] leafHash(long index) {
        return log.leafHash(index);
      }
    };
  }

  private static List<byte[]> flipAt(List<byte[]> proof, int element, int byteIndex, int mask) {
    List<byte[]> out = new ArrayList<>(proof);
    byte[] modified = out.get(element).clone();
    modified[byteIndex] ^= (byte) mask;
    out.set(element, modified);
    return out;
  }

  private static byte[] flipBit(byte[] hash, Random random) {
    byte[] out = hash.clone();
    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
    return out;
  }
}
