package com.neurasea.ledger.verify;

import static com.neurasea.ledger.verify.Rfc6962Vectors.CONSISTENCY;
import static com.neurasea.ledger.verify.Rfc6962Vectors.EMPTY_ROOT;
import static com.neurasea.ledger.verify.Rfc6962Vectors.INCLUSION;
import static com.neurasea.ledger.verify.Rfc6962Vectors.LEAVES;
import static com.neurasea.ledger.verify.Rfc6962Vectors.ROOTS;
import static com.neurasea.ledger.verify.Rfc6962Vectors.SOME_HASH;
import static com.neurasea.ledger.verify.Rfc6962Vectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.ledger.verify.ProofException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Rfc6962VectorsTest {

  private static final byte[] WRONG_LEAF = "WrongLeaf".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WRONG_ROOT = "WrongRoot".getBytes(StandardCharsets.US_ASCII);

  @Test
  void hashesMatchTheRfc6962HasherVectors() {
    assertThat(MerkleHashes.emptyRoot()).isEqualTo(EMPTY_ROOT);
    assertThat(MerkleHashes.leafHash(new byte[0]))
        .isEqualTo(hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
    assertThat(MerkleHashes.leafHash("L123456".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(hex("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
    byte[] leaf0 = MerkleHashes.leafHash(LEAVES.get(0));
    byte[] leaf1 = MerkleHashes.leafHash(LEAVES.get(1));
    assertThat(MerkleHashes.nodeHash(leaf0, leaf1)).isEqualTo(ROOTS.get(2));
    assertThat(MerkleHashes.nodeHash(leaf1, leaf0)).isNotEqualTo(ROOTS.get(2));
  }

  @Test
  void nodeHashRejectsInputsThatAreNotHashes() {
    assertThatThrownBy(() -> MerkleHashes.nodeHash(new byte[4], new byte[32]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleHashes.nodeHash(new byte[32], null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void rootsOfSizesZeroToEightMatchFromEverySource() {
    LeafHashes plain = Rfc6962Vectors.leafSource();
    MerkleLog log = MerkleLog.copyOf(plain, plain.size());
    CompactRange range = new CompactRange();
    assertThat(range.root()).isEqualTo(ROOTS.get(0));
    for (int size = 0; size <= 8; size++) {
      assertThat(MerkleTree.root(plain, size)).as("plain size %d", size).isEqualTo(ROOTS.get(size));
      assertThat(log.root(size)).as("log size %d", size).isEqualTo(ROOTS.get(size));
      if (size > 0) {
        range.append(plain.leafHash(size - 1));
        assertThat(range.root()).as("range size %d", size).isEqualTo(ROOTS.get(size));
      }
    }
    assertThat(log.root()).isEqualTo(ROOTS.get(8));
  }

  @Test
  void generatedProofsEqualThePublishedOnes() {
    LeafHashes plain = Rfc6962Vectors.leafSource();
    MerkleLog log = MerkleLog.copyOf(plain, 8);
    for (Rfc6962Vectors.Inclusion v : INCLUSION) {
      assertThat(MerkleTree.inclusionProof(plain, v.index(), v.size()))
          .as("inclusion %d/%d", v.index(), v.size()).containsExactlyElementsOf(v.proof());
      assertThat(log.inclusionProof(v.index(), v.size())).containsExactlyElementsOf(v.proof());
    }
    for (Rfc6962Vectors.Consistency v : CONSISTENCY) {
      assertThat(MerkleTree.consistencyProof(plain, v.size1(), v.size2()))
          .as("consistency %d-%d", v.size1(), v.size2()).containsExactlyElementsOf(v.proof());
      assertThat(log.consistencyProof(v.size1(), v.size2())).containsExactlyElementsOf(v.proof());
    }
  }

  static Stream<Rfc6962Vectors.Inclusion> inclusionVectors() {
    return INCLUSION.stream();
  }

  @ParameterizedTest
  @MethodSource("inclusionVectors")
  void publishedInclusionProofVerifiesAndEveryCorruptionIsRejected(Rfc6962Vectors.Inclusion v)
      throws ProofException {
    byte[] leaf = MerkleHashes.leafHash(LEAVES.get((int) v.index()));
    byte[] root = ROOTS.get((int) v.size());
    assertThat(MerkleVerifier.rootFromInclusionProof(leaf, v.index(), v.size(), v.proof()))
        .isEqualTo(root);
    MerkleVerifier.verifyInclusion(leaf, v.index(), v.size(), v.proof(), root);

    long i = v.index();
    long n = v.size();
    List<byte[]> p = v.proof();
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("index - 1", () -> MerkleVerifier.verifyInclusion(leaf, i - 1, n, p, root));
    probes.put("index + 1", () -> MerkleVerifier.verifyInclusion(leaf, i + 1, n, p, root));
    probes.put("index ^ 2", () -> MerkleVerifier.verifyInclusion(leaf, i ^ 2, n, p, root));
    probes.put("size * 2", () -> MerkleVerifier.verifyInclusion(leaf, i, n * 2, p, root));
    probes.put("size / 2", () -> MerkleVerifier.verifyInclusion(leaf, i, n / 2, p, root));
    probes.put("wrong leaf", () -> MerkleVerifier.verifyInclusion(WRONG_LEAF, i, n, p, root));
    probes.put("other leaf", () -> MerkleVerifier.verifyInclusion(SOME_HASH, i, n, p, root));
    probes.put("empty root", () -> MerkleVerifier.verifyInclusion(leaf, i, n, p, EMPTY_ROOT));
    probes.put("random root", () -> MerkleVerifier.verifyInclusion(leaf, i, n, p, SOME_HASH));
    probes.put("trailing garbage",
        () -> MerkleVerifier.verifyInclusion(leaf, i, n, append(p, new byte[0]), root));
    probes.put("trailing root",
        () -> MerkleVerifier.verifyInclusion(leaf, i, n, append(p, root), root));
    probes.put("preceding garbage",
        () -> MerkleVerifier.verifyInclusion(leaf, i, n, prepend(p, new byte[0]), root));
    probes.put("preceding root",
        () -> MerkleVerifier.verifyInclusion(leaf, i, n, prepend(p, root), root));
    for (int k = 0; k < p.size(); k++) {
      List<byte[]> flipped = flip(p, k, 8);
      probes.put("modified proof[" + k + "] bit 3",
          () -> MerkleVerifier.verifyInclusion(leaf, i, n, flipped, root));
    }
    if (!p.isEmpty()) {
      probes.put("removed component",
          () -> MerkleVerifier.verifyInclusion(leaf, i, n, p.subList(0, p.size() - 1), root));
    }
    if (p.size() > 1) {
      List<byte[]> inserted = new ArrayList<>(p);
      inserted.add(1, SOME_HASH);
      probes.put("inserted component",
          () -> MerkleVerifier.verifyInclusion(leaf, i, n, inserted, root));
    }
    assertAllRejected(probes);
  }

  static Stream<Rfc6962Vectors.Consistency> consistencyVectors() {
    return CONSISTENCY.stream();
  }

  @ParameterizedTest
  @MethodSource("consistencyVectors")
  void publishedConsistencyProofVerifiesAndEveryCorruptionIsRejected(
      Rfc6962Vectors.Consistency v) throws ProofException {
    long s1 = v.size1();
    long s2 = v.size2();
    byte[] r1 = ROOTS.get((int) s1);
    byte[] r2 = ROOTS.get((int) s2);
    List<byte[]> p = v.proof();
    MerkleVerifier.verifyConsistency(s1, s2, p, r1, r2);
    if (p.isEmpty()) {
      return;
    }
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("size1 - 1", () -> MerkleVerifier.verifyConsistency(s1 - 1, s2, p, r1, r2));
    probes.put("size1 + 1", () -> MerkleVerifier.verifyConsistency(s1 + 1, s2, p, r1, r2));
    probes.put("size1 ^ 2", () -> MerkleVerifier.verifyConsistency(s1 ^ 2, s2, p, r1, r2));
    probes.put("size2 * 2", () -> MerkleVerifier.verifyConsistency(s1, s2 * 2, p, r1, r2));
    probes.put("size2 / 2", () -> MerkleVerifier.verifyConsistency(s1, s2 / 2, p, r1, r2));
    probes.put("wrong root1", () -> MerkleVerifier.verifyConsistency(s1, s2, p, WRONG_ROOT, r2));
    probes.put("wrong root2", () -> MerkleVerifier.verifyConsistency(s1, s2, p, r1, WRONG_ROOT));
    probes.put("other root1", () -> MerkleVerifier.verifyConsistency(s1, s2, p, SOME_HASH, r2));
    probes.put("other root2", () -> MerkleVerifier.verifyConsistency(s1, s2, p, r1, SOME_HASH));
    probes.put("swapped roots", () -> MerkleVerifier.verifyConsistency(s1, s2, p, r2, r1));
    probes.put("empty proof", () -> MerkleVerifier.verifyConsistency(s1, s2, List.of(), r1, r2));
    probes.put("trailing garbage",
        () -> MerkleVerifier.verifyConsistency(s1, s2, append(p, new byte[0]), r1, r2));
    probes.put("trailing root1",
        () -> MerkleVerifier.verifyConsistency(s1, s2, append(p, r1), r1, r2));
    probes.put("trailing root2",
        () -> MerkleVerifier.verifyConsistency(s1, s2, append(p, r2), r1, r2));
    probes.put("preceding garbage",
        () -> MerkleVerifier.verifyConsistency(s1, s2, prepend(p, new byte[0]), r1, r2));
    probes.put("preceding root1",
        () -> MerkleVerifier.verifyConsistency(s1, s2, prepend(p, r1), r1, r2));
    probes.put("preceding root2",
        () -> MerkleVerifier.verifyConsistency(s1, s2, prepend(p, r2), r1, r2));
    probes.put("preceding proof[0]",
        () -> MerkleVerifier.verifyConsistency(s1, s2, prepend(p, p.get(0)), r1, r2));
    probes.put("truncated proof",
        () -> MerkleVerifier.verifyConsistency(s1, s2, p.subList(0, p.size() - 1), r1, r2));
    for (int k = 0; k < p.size(); k++) {
      List<byte[]> flipped = flip(p, k, 16);
      probes.put("modified proof[" + k + "] bit 4",
          () -> MerkleVerifier.verifyConsistency(s1, s2, flipped, r1, r2));
    }
    assertAllRejected(probes);
  }

  @Test
  void everyInclusionAndConsistencyProofOfTheEightLeafTreeVerifies() {
    MerkleLog log = MerkleLog.copyOf(Rfc6962Vectors.leafSource(), 8);
    for (int size = 1; size <= 8; size++) {
      for (int index = 0; index < size; index++) {
        int n = size;
        int i = index;
        assertThatCode(() -> MerkleVerifier.verifyInclusion(log.leafHash(i), i, n,
            log.inclusionProof(i, n), ROOTS.get(n))).doesNotThrowAnyException();
      }
    }
    for (int size2 = 0; size2 <= 8; size2++) {
      for (int size1 = 0; size1 <= size2; size1++) {
        int a = size1;
        int b = size2;
        assertThatCode(() -> MerkleVerifier.verifyConsistency(a, b, log.consistencyProof(a, b),
            ROOTS.get(a), ROOTS.get(b))).doesNotThrowAnyException();
      }
    }
  }

  @Test
  void inclusionEdgeCasesWithEmptyProofs() {
    long[][] probes = {{0, 0}, {0, 1}, {1, 0}, {2, 1}};
    for (long[] probe : probes) {
      long index = probe[0];
      long size = probe[1];
      assertRejected(() -> MerkleVerifier.verifyInclusion(SOME_HASH, index, size, List.of(),
          new byte[0]));
      assertRejected(() -> MerkleVerifier.verifyInclusion(new byte[0], index, size, List.of(),
          EMPTY_ROOT));
      assertRejected(() -> MerkleVerifier.verifyInclusion(SOME_HASH, index, size, List.of(),
          EMPTY_ROOT));
    }
  }

  @Test
  void singleEntryTreeHasAnEmptyProofAndItsLeafAsRoot() throws ProofException {
    byte[] hash = MerkleHashes.leafHash("data".getBytes(StandardCharsets.US_ASCII));
    MerkleVerifier.verifyInclusion(hash, 0, 1, List.of(), hash);
    assertReason(() -> MerkleVerifier.verifyInclusion(new byte[0], 0, 1, List.of(), hash),
        Reason.WRONG_HASH_SIZE);
    assertReason(() -> MerkleVerifier.verifyInclusion(hash, 0, 1, List.of(), new byte[0]),
        Reason.WRONG_HASH_SIZE);
    assertReason(() -> MerkleVerifier.verifyInclusion(hash, 0, 1, List.of(), SOME_HASH),
        Reason.ROOT_MISMATCH);
  }

  @Test
  void consistencyEdgeCases() throws ProofException {
    byte[] other = SOME_HASH;
    List<byte[]> none = List.of();
    List<byte[]> oneHash = List.of(EMPTY_ROOT);
    // Sizes that are always consistent.
    MerkleVerifier.verifyConsistency(0, 0, none, EMPTY_ROOT, EMPTY_ROOT);
    MerkleVerifier.verifyConsistency(0, 1, none, EMPTY_ROOT, other);
    MerkleVerifier.verifyConsistency(1, 1, none, other, other);
    // Equal sizes with different roots.
    assertReason(() -> MerkleVerifier.verifyConsistency(0, 0, none, EMPTY_ROOT, other),
        Reason.ROOT_MISMATCH);
    assertReason(() -> MerkleVerifier.verifyConsistency(1, 1, none, EMPTY_ROOT, other),
        Reason.ROOT_MISMATCH);
    // Stricter than RFC 9162: the empty tree must have the empty root.
    assertReason(() -> MerkleVerifier.verifyConsistency(0, 1, none, other, other),
        Reason.ROOT_MISMATCH);
    // Time travel to the past.
    assertReason(() -> MerkleVerifier.verifyConsistency(1, 0, none, other, other),
        Reason.SIZE_DECREASED);
    assertReason(() -> MerkleVerifier.verifyConsistency(2, 1, none, other, other),
        Reason.SIZE_DECREASED);
    assertReason(() -> MerkleVerifier.verifyConsistency(-1, 1, none, other, other),
        Reason.INVALID_SIZE);
    // Empty proof where one is needed.
    assertReason(() -> MerkleVerifier.verifyConsistency(1, 2, none, other, other),
        Reason.WRONG_PROOF_SIZE);
    // Roots match but the proof is not empty.
    assertReason(() -> MerkleVerifier.verifyConsistency(0, 0, oneHash, EMPTY_ROOT, EMPTY_ROOT),
        Reason.WRONG_PROOF_SIZE);
    assertReason(() -> MerkleVerifier.verifyConsistency(0, 1, oneHash, EMPTY_ROOT, EMPTY_ROOT),
        Reason.WRONG_PROOF_SIZE);
    assertReason(() -> MerkleVerifier.verifyConsistency(1, 1, oneHash, EMPTY_ROOT, EMPTY_ROOT),
        Reason.WRONG_PROOF_SIZE);
    // Null proofs and null elements are malformed input, not crashes.
    assertReason(() -> MerkleVerifier.verifyConsistency(1, 2, null, other, other),
        Reason.WRONG_PROOF_SIZE);
    List<byte[]> withNull = new ArrayList<>();
    withNull.add(null);
    assertReason(() -> MerkleVerifier.verifyConsistency(1, 2, withNull, other, other),
        Reason.WRONG_HASH_SIZE);
  }

  @Test
  void proofGenerationRejectsBadArguments() {
    LeafHashes plain = Rfc6962Vectors.leafSource();
    assertThatThrownBy(() -> MerkleTree.inclusionProof(plain, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleTree.inclusionProof(plain, 8, 8))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleTree.inclusionProof(plain, 0, 9))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleTree.consistencyProof(plain, 5, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleTree.consistencyProof(plain, 1, 9))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleTree.root(plain, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A verification call that is expected to throw. */
  @FunctionalInterface
  interface Probe {
    void run() throws ProofException;
  }

  static void assertAllRejected(Map<String, Probe> probes) {
    List<String> accepted = new ArrayList<>();
    for (Map.Entry<String, Probe> probe : probes.entrySet()) {
      try {
        probe.getValue().run();
        accepted.add(probe.getKey());
      } catch (ProofException expected) {
        // Rejected as it must be; any other exception fails the test.
      }
    }
    assertThat(accepted).as("corrupted proofs that verified").isEmpty();
  }

  static void assertRejected(Probe probe) {
    assertThatThrownBy(probe::run).isInstanceOf(ProofException.class);
  }

  static void assertReason(Probe probe, Reason reason) {
    assertThatThrownBy(probe::run).isInstanceOfSatisfying(ProofException.class,
        e -> assertThat(e.reason()).isEqualTo(reason));
  }

  static List<byte[]> append(List<byte[]> proof, byte[] hash) {
    List<byte[]> out = new ArrayList<>(proof);
    out.add(hash);
    return out;
  }

  static List<byte[]> prepend(List<byte[]> proof, byte[] hash) {
    List<byte[]> out = new ArrayList<>(proof);
    out.add(0, hash);
    return out;
  }

  static List<byte[]> flip(List<byte[]> proof, int element, int mask) {
    List<byte[]> out = new ArrayList<>(proof);
    byte[] modified = out.get(element).clone();
    modified[0] ^= (byte) mask;
    out.set(element, modified);
    return out;
  }
}
