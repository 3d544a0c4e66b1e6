// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {EditionArgs, EditionParams} from "./EditionArgs.sol";
import {IWritingEditionsFactory} from "./IWritingEditionsFactory.sol";
import {WritingEditions} from "./WritingEditions.sol";

/// @title WritingEditionsFactory
/// @author Permanent Press
/// @notice Creates one {WritingEditions} clone per edition at an address determined by its author and its
///         terms; either directly by the author, or lazily by the first collector with the author's
///         EIP-712 signature. The factory's {EditionCreated} events are the registry of editions, and
///         {isEdition} tells a genuine edition from a look-alike onchain.
/// @dev Every clone is created with CREATE2 under one salt, so its address is a function of its code
///      alone: {isEdition} recomputes it from the code found at an address.
contract WritingEditionsFactory is IWritingEditionsFactory, Ownable2Step, EIP712 {
    /// @notice The author's consent to a lazily created edition.
    /// @param author The signer and owner-to-be of the edition.
    /// @param salt Names the signature, so the author can cancel it ({cancelSignature}).
    /// @param deadline Last timestamp at which the signature can create the edition.
    /// @param signature EIP-712 signature of an {EDITION_TYPEHASH} message, by an EOA or ERC-1271 wallet.
    struct Authorization {
        address author;
        bytes32 salt;
        uint256 deadline;
        bytes signature;
    }

    /// @notice The highest platform fee, in basis points (5%).
    uint256 public constant MAX_FEE_BPS = 500;
    /// @notice The highest referral share, in basis points (50%).
    uint256 public constant MAX_REFERRAL_BPS = 5_000;
    /// @notice How long before its deadline a signature may have been made. A signed fee below the
    ///         current fee is honoured if some fee in effect since `deadline - SIGNATURE_LIFETIME` was
    ///         that low or lower: the author could have signed it then.
    uint256 public constant SIGNATURE_LIFETIME = 366 days;
    uint256 private constant MAX_ROYALTY_BPS = 10_000;
    /// @dev The one CREATE2 salt: the address depends on the clone's code (author and terms) alone.
    bytes32 private constant CLONE_SALT = 0;
    // The type string is hashed at compile time; its length costs nothing at run time.
    // solhint-disable gas-small-strings
    /// @notice EIP-712 type of the message an author signs for lazy creation.
    bytes32 public constant EDITION_TYPEHASH = keccak256(
        "Edition(address author,string name,string symbol,bytes32 contentId,bytes32 metadataId,uint96 price,"
        "uint64 limit,address fundingRecipient,uint16 royaltyBps,uint16 feeBps,uint16 referralBps,"
        "address splitRecipient,uint16 splitBps,bytes32 salt,uint256 deadline)"
    );
    // solhint-enable gas-small-strings

    address private immutable IMPLEMENTATION;

    /// @notice The platform fee new editions take, in basis points.
    uint16 public feeBps;
    /// @inheritdoc IWritingEditionsFactory
    address public feeRecipient;
    mapping(bytes32 boundSalt => bool cancelled) private _cancelled;
    /// @dev Every fee ever set, oldest first: timestamp << 16 | fee.
    uint256[] private _feeHistory;

    /// @notice An edition was created.
    /// @param edition The clone's address.
    /// @param author Its owner.
    /// @param contentId The essay's Arweave id.
    /// @param args All its terms as the clone holds them, packed as {EditionArgs} lays them out (the
    ///      author's terms, as {EditionParams} has them, decode from these bytes alone).
    /// @param feeBps The platform fee the edition takes: `params.feeBps`, or the factory's if lower.
    event EditionCreated(
        address indexed edition,
        address indexed author,
        bytes32 indexed contentId,
        bytes args,
        uint256 feeBps
    );

    /// @notice The platform fee for new editions changed; existing editions keep theirs, and a signed
    ///         edition is never created with a fee above the one its author signed.
    /// @param feeBps The new fee in basis points.
    /// @param feeRecipient The new recipient, for all editions.
    event FeeChanged(uint256 indexed feeBps, address indexed feeRecipient);

    /// @notice An author withdrew a signature before its edition was created.
    /// @param author The author.
    /// @param salt The salt the signature was for.
    event SignatureCancelled(address indexed author, bytes32 indexed salt);

    /// @notice The fee exceeds {MAX_FEE_BPS}.
    /// @param feeBps The rejected fee.
    error FeeTooHigh(uint256 feeBps);
    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice The fee in the author's terms is below what the platform takes.
    /// @param required The lowest fee the factory accepts for these terms.
    /// @param accepted The fee in the author's terms.
    error FeeNotAccepted(uint256 required, uint256 accepted);
    /// @notice The referral share exceeds {MAX_REFERRAL_BPS}.
    /// @param referralBps The rejected share.
    error ReferralTooHigh(uint256 referralBps);
    /// @notice The royalty exceeds 100%.
    /// @param royaltyBps The rejected royalty.
    error RoyaltyTooHigh(uint256 royaltyBps);
    /// @notice The signature's deadline has passed.
    /// @param deadline The deadline.
    error SignatureExpired(uint256 deadline);
    /// @notice The author cancelled signatures for this salt.
    /// @param author The author.
    /// @param salt The salt.
    error SignatureWasCancelled(address author, bytes32 salt);
    /// @notice The signature does not match the author and terms.
    error InvalidSignature();

    /// @notice Deploys the factory and the edition implementation.
    /// @param initialOwner Who may change the fee.
    /// @param initialFeeBps Platform fee for new editions, at most {MAX_FEE_BPS}.
    /// @param initialFeeRecipient Where editions send the platform fee.
    constructor(
        address initialOwner,
        uint16 initialFeeBps,
        address initialFeeRecipient
    ) Ownable(initialOwner) EIP712("WritingEditionsFactory", "2") {
        IMPLEMENTATION = address(new WritingEditions());
        _setFee(initialFeeBps, initialFeeRecipient);
    }

    /// @notice Creates an edition owned by the caller. An edition with the same author and terms can
    ///         exist only once.
    /// @param params The terms; `params.feeBps` must be at least {feeBps}, and the edition takes {feeBps}.
    /// @return edition The new clone.
    function create(EditionParams calldata params) external returns (address edition) {
        edition = _create(msg.sender, params, EditionArgs.encode(msg.sender, params), 0);
    }

    /// @notice Buys tokens of a signed edition, creating the edition first if it does not exist. Once it
    ///         exists the signature is no longer checked: the call just buys.
    /// @param params The terms the author signed.
    /// @param auth The author, salt, deadline and signature.
    /// @param to Recipient of the tokens.
    /// @param quantity How many copies, 1 to {WritingEditions-MAX_QUANTITY}.
    /// @param referrer Who referred the buyer, or the zero address.
    /// @param message A note to the author.
    /// @return edition The edition's address.
    /// @return firstTokenId The first token bought.
    function createWithSignature(
        EditionParams calldata params,
        Authorization calldata auth,
        address to,
        uint256 quantity,
        address referrer,
        string calldata message
    ) external payable returns (address edition, uint256 firstTokenId) {
        bytes memory args = EditionArgs.encode(auth.author, params);
        edition = Clones.predictDeterministicAddressWithImmutableArgs(IMPLEMENTATION, args, CLONE_SALT);
        if (edition.code.length == 0) {
            _checkAuthorization(params, auth);
            _create(auth.author, params, args, auth.deadline);
        }
        firstTokenId = WritingEditions(payable(edition)).collect{value: msg.value}(to, quantity, referrer, message);
    }

    /// @notice Withdraws the caller's signatures for `salt`: none of them can create an edition any more
    ///         (the author can still create one directly, or sign again). An edition that already exists
    ///         is unaffected.
    /// @param salt The salt.
    function cancelSignature(bytes32 salt) external {
        _cancelled[_boundSalt(msg.sender, salt)] = true;
        emit SignatureCancelled(msg.sender, salt);
    }

    /// @notice Sets the platform fee for editions created from now on, and the fee recipient for all.
    /// @param newFeeBps At most {MAX_FEE_BPS}.
    /// @param newFeeRecipient Non-zero.
    function setFee(uint16 newFeeBps, address newFeeRecipient) external onlyOwner {
        _setFee(newFeeBps, newFeeRecipient);
    }

    /// @notice The edition implementation the clones delegate to.
    /// @return Its address.
    function implementation() external view returns (address) {
        return IMPLEMENTATION;
    }

    /// @notice Where an edition is (or will be) deployed.
    /// @param author The edition's owner.
    /// @param params Its terms.
    /// @return The address.
    function predictAddress(address author, EditionParams calldata params) external view returns (address) {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            IMPLEMENTATION,
            EditionArgs.encode(author, params),
            CLONE_SALT
        );
    }

    /// @notice Whether `edition` is an edition this factory created: marketplaces and other front-ends
    ///         can tell it from a look-alike clone of the same implementation, whose `factory()` names
    ///         this factory too.
    /// @dev The clone's code is the EIP-1167 proxy followed by its arguments; the factory created it only
    ///      if its address is the one CREATE2 gives for that code from this factory.
    /// @param edition Any address.
    /// @return True for this factory's editions.
    function isEdition(address edition) external view returns (bool) {
        bytes memory code = edition.code;
        if (code.length <= EditionArgs.PROXY_CODE_SIZE) return false;
        bytes memory args = new bytes(code.length - EditionArgs.PROXY_CODE_SIZE);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(edition, add(args, 0x20), 0x2d, mload(args))
        }
        return Clones.predictDeterministicAddressWithImmutableArgs(IMPLEMENTATION, args, CLONE_SALT) == edition;
    }

    /// @notice The lowest platform fee in effect at any time from `since` until now.
    /// @param since A timestamp.
    /// @return lowest Basis points.
    function lowestFeeSince(uint256 since) public view returns (uint256 lowest) {
        lowest = type(uint256).max;
        for (uint256 i = _feeHistory.length; i != 0; ) {
            uint256 entry = _feeHistory[--i];
            uint256 fee = uint16(entry);
            if (fee < lowest) lowest = fee;
            if (entry >> 16 <= since) break;
        }
    }

    /// @notice Whether `author` cancelled signatures for `salt`.
    /// @param author The author.
    /// @param salt The salt.
    /// @return True if cancelled.
    function isCancelled(address author, bytes32 salt) external view returns (bool) {
        return _cancelled[_boundSalt(author, salt)];
    }

    /// @notice The EIP-712 digest an author signs for lazy creation (what ERC-1271 wallets check).
    /// @param author The author.
    /// @param params The terms.
    /// @param salt The salt.
    /// @param deadline The deadline.
    /// @return The digest.
    function editionDigest(
        address author,
        EditionParams calldata params,
        bytes32 salt,
        uint256 deadline
    ) public view returns (bytes32) {
        // abi.encode of static words is their concatenation; two halves keep the stack shallow.
        bytes memory head = abi.encode(
            EDITION_TYPEHASH,
            author,
            keccak256(bytes(params.name)),
            keccak256(bytes(params.symbol)),
            params.contentId,
            params.metadataId,
            params.price
        );
        bytes memory middle = abi.encode(
            params.limit,
            params.fundingRecipient,
            params.royaltyBps,
            params.feeBps,
            params.referralBps
        );
        bytes memory tail = abi.encode(params.splitRecipient, params.splitBps, salt, deadline);
        return _hashTypedDataV4(keccak256(bytes.concat(head, middle, tail)));
    }

    /// @dev `deadline` is the signature's for a lazy creation, 0 for the author's own. The edition takes
    ///      the current fee when the terms accept it; a signature whose fee the platform has since raised
    ///      keeps its fee if that fee was in effect while the signature could have been made.
    function _create(
        address author,
        EditionParams calldata params,
        bytes memory args,
        uint256 deadline
    ) private returns (address edition) {
        uint256 fee = feeBps;
        if (params.feeBps < fee) {
            uint256 required = fee;
            if (deadline != 0) {
                uint256 since = deadline > SIGNATURE_LIFETIME ? deadline - SIGNATURE_LIFETIME : 0;
                required = lowestFeeSince(since);
            }
            if (params.feeBps < required) revert FeeNotAccepted(required, params.feeBps);
            fee = params.feeBps;
        }
        if (params.feeBps > MAX_FEE_BPS) revert FeeTooHigh(params.feeBps);
        if (params.referralBps > MAX_REFERRAL_BPS) revert ReferralTooHigh(params.referralBps);
        if (params.royaltyBps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(params.royaltyBps);
        if (params.fundingRecipient == address(0)) revert ZeroAddress();
        edition = Clones.cloneDeterministicWithImmutableArgs(IMPLEMENTATION, args, CLONE_SALT);
        if (fee != params.feeBps) WritingEditions(payable(edition)).initializeFee(fee);
        emit EditionCreated(edition, author, params.contentId, args, fee);
    }

    function _checkAuthorization(EditionParams calldata params, Authorization calldata auth) private view {
        // Signatures are valid up to and including the deadline's second.
        if (block.timestamp > auth.deadline) revert SignatureExpired(auth.deadline);
        if (_cancelled[_boundSalt(auth.author, auth.salt)]) revert SignatureWasCancelled(auth.author, auth.salt);
        bytes32 digest = editionDigest(auth.author, params, auth.salt, auth.deadline);
        if (!SignatureChecker.isValidSignatureNowCalldata(auth.author, digest, auth.signature)) {
            revert InvalidSignature();
        }
    }

    function _setFee(uint16 newFeeBps, address newFeeRecipient) private {
        if (newFeeBps > MAX_FEE_BPS) revert FeeTooHigh(newFeeBps);
        // Existing editions pay whoever is current, so the recipient can never be unset.
        if (newFeeRecipient == address(0)) revert ZeroAddress();
        feeBps = newFeeBps;
        feeRecipient = newFeeRecipient;
        _feeHistory.push((block.timestamp << 16) | newFeeBps);
        emit FeeChanged(newFeeBps, newFeeRecipient);
    }

    function _boundSalt(address author, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(author, salt));
    }
}
