package com.neurasea.spi;

import com.neurasea.model.HoldId;
import com.neurasea.model.LegalHold;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PolicyAcknowledgment;
import com.neurasea.model.PolicyVersion;
import com.neurasea.model.RequestId;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.RequestType;
import com.neurasea.model.SubjectFlags;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Persistence of data-subject rights: requests and their progress, legal holds, privacy policy
 * versions and their acknowledgments, and per-subject privacy flags (minor, restriction).
 *
 * <p>Obtained from {@link Stores#privacy()}. Instants are kept to the millisecond.
 */
public interface PrivacyStore {
  /**
   * Stores a new request.
   *
   * @param request the request, version 0
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code type} when the
   *     subject already has an open request of that type, or {@code id} when the id is taken
   */
  void insertRequest(SubjectRequest request);

  /**
   * A request by id.
   *
   * @param id the id
   * @return the request, or empty
   */
  Optional<SubjectRequest> findRequest(RequestId id);

  /**
   * Replaces a request, if it is still at the version before {@code request.version()}.
   *
   * @param request the new state, its version one more than the stored one
   * @return false when the request is missing or was changed in between (nothing is written)
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code type} when reopening
   *     it would give the subject two open requests of one type
   */
  boolean updateRequest(SubjectRequest request);

  /**
   * Requests, oldest first by receipt.
   *
   * @param userId only this subject's, or null for everyone's
   * @param statuses only these statuses; empty for all
   * @param page the page
   * @return the requests
   */
  List<SubjectRequest> listRequests(UserId userId, Set<RequestStatus> statuses, PageRequest page);

  /**
   * Requests routed to a tenant's administrators, oldest first by receipt.
   *
   * @param routedTo the tenant
   * @param userId only this subject's, or null for all routed there
   * @param statuses only these statuses; empty for all
   * @param page the page
   * @return the requests
   */
  List<SubjectRequest> listRoutedRequests(TenantId routedTo, UserId userId, Set<RequestStatus> statuses,
      PageRequest page);

  /**
   * Open requests due before a time, most overdue first.
   *
   * @param now the time
   * @param limit at most this many
   * @return the requests
   */
  List<SubjectRequest> listOverdue(Instant now, int limit);

  /**
   * The subject's open request of a type.
   *
   * @param userId the subject
   * @param type the type
   * @return the request, or empty
   */
  Optional<SubjectRequest> findOpenRequest(UserId userId, RequestType type);

  /**
   * Stores a legal hold.
   *
   * @param hold the hold
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code id} when the id is taken
   */
  void insertHold(LegalHold hold);

  /**
   * Releases an active hold.
   *
   * @param id the hold
   * @param at when
   * @return false when there is no such active hold
   */
  boolean releaseHold(HoldId id, Instant at);

  /**
   * A subject's holds, oldest first.
   *
   * @param userId the subject
   * @param activeOnly only those not released
   * @return the holds
   */
  List<LegalHold> listHolds(UserId userId, boolean activeOnly);

  /**
   * Stores a policy version.
   *
   * @param version the version
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code version} when it exists
   */
  void insertPolicyVersion(PolicyVersion version);

  /**
   * Every policy version, by effective time.
   *
   * @return the versions
   */
  List<PolicyVersion> listPolicyVersions();

  /**
   * One policy version.
   *
   * @param version its name
   * @return the version, or empty
   */
  Optional<PolicyVersion> findPolicyVersion(String version);

  /**
   * Stores an acknowledgment.
   *
   * @param acknowledgment the acknowledgment
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code version} when the
   *     user already acknowledged that version
   */
  void insertAcknowledgment(PolicyAcknowledgment acknowledgment);

  /**
   * A user's acknowledgments, oldest first.
   *
   * @param userId the user
   * @return the acknowledgments
   */
  List<PolicyAcknowledgment> acknowledgmentsOf(UserId userId);

  /**
   * The acknowledgments of a version, oldest first.
   *
   * @param version the version
   * @param page the page
   * @return the acknowledgments
   */
  List<PolicyAcknowledgment> acknowledgmentsOfVersion(String version, PageRequest page);

  /**
   * Stores a subject's flags, replacing any earlier ones.
   *
   * @param flags the flags
   */
  void saveFlags(SubjectFlags flags);

  /**
   * A subject's flags.
   *
   * @param userId the subject
   * @return the flags, or empty when none were ever saved
   */
  Optional<SubjectFlags> findFlags(UserId userId);
}
