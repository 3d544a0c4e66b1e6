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
/// @notice Creates one {WritingEditions} clone per edition at an address determined by its author, its
///         terms and a salt; either directly by the author, or lazily by the first collector with the
///         author's EIP-712 signature. The factory's {EditionCreated} events are the registry of
///         editions.
contract WritingEditionsFactory is IWritingEditionsFactory, Ownable2Step, EIP712 {
    /// @notice The author's consent to a lazily created edition.
    /// @param author The signer and owner-to-be of the edition.
    /// @param salt Chooses the edition's address among the author's editions.
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
    uint256 private constant MAX_ROYALTY_BPS = 10_000;
    // The type string is hashed at compile time; its length costs nothing at run time.
    // solhint-disable gas-small-strings
    /// @notice EIP-712 type of the message an author signs for lazy creation.
    bytes32 public constant EDITION_TYPEHASH = keccak256(
        "Edition(address author,string name,string symbol,bytes32 contentId,bytes32 metadataId,uint96 price,"
        "uint64 limit,address fundingRecipient,uint16 royaltyBps,uint16 feeBps,bytes32 salt,uint256 deadline)"
    );
    // solhint-enable gas-small-strings

    address private immutable IMPLEMENTATION;

    /// @notice The platform fee new editions take, in basis points.
    uint16 public feeBps;
    /// @inheritdoc IWritingEditionsFactory
    address public feeRecipient;
    mapping(bytes32 boundSalt => bool cancelled) private _cancelled;

    /// @notice An edition was created.
    /// @param edition The clone's address.
    /// @param author Its owner.
    /// @param contentId The essay's Arweave id.
    /// @param params All its terms (including `contentId` again, for decoders that take the struct).
    /// @param salt The author's salt.
    event EditionCreated(
        address indexed edition,
        address indexed author,
        bytes32 indexed contentId,
        EditionParams params,
        bytes32 salt
    );

    /// @notice The platform fee for new editions changed; existing editions keep theirs.
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
    /// @notice The fee the author accepted is not the platform's current fee.
    /// @param current The factory's fee.
    /// @param accepted The fee in the author's terms.
    error FeeMismatch(uint256 current, uint256 accepted);
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
    ) Ownable(initialOwner) EIP712("WritingEditionsFactory", "1") {
        IMPLEMENTATION = address(new WritingEditions());
        _setFee(initialFeeBps, initialFeeRecipient);
    }

    /// @notice Creates an edition owned by the caller.
    /// @param params The terms; `params.feeBps` must equal {feeBps}.
    /// @param salt Chooses the address among the caller's editions.
    /// @return edition The new clone.
    function create(EditionParams calldata params, bytes32 salt) external returns (address edition) {
        edition = _create(msg.sender, params, salt, EditionArgs.encode(msg.sender, params));
    }

    /// @notice Buys the next token of a signed edition, creating the edition first if it does not exist.
    ///         Once it exists the signature is no longer checked: the call just buys.
    /// @param params The terms the author signed.
    /// @param auth The author, salt, deadline and signature.
    /// @param to Recipient of the token.
    /// @param message A note to the author.
    /// @return edition The edition's address.
    /// @return tokenId The token bought.
    function createWithSignature(
        EditionParams calldata params,
        Authorization calldata auth,
        address to,
        string calldata message
    ) external payable returns (address edition, uint256 tokenId) {
        bytes memory args = EditionArgs.encode(auth.author, params);
        edition = Clones.predictDeterministicAddressWithImmutableArgs(
            IMPLEMENTATION,
            args,
            _boundSalt(auth.author, auth.salt)
        );
        if (edition.code.length == 0) {
            _checkAuthorization(params, auth);
            _create(auth.author, params, auth.salt, args);
        }
        tokenId = WritingEditions(edition).purchase{value: msg.value}(to, message);
    }

    /// @notice Withdraws the caller's signatures for `salt`: no edition with that salt can be created
    ///         with a signature any more (the author can still create one directly). An edition that
    ///         already exists is unaffected.
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
    /// @param salt The author's salt.
    /// @return The address.
    function predictAddress(
        address author,
        EditionParams calldata params,
        bytes32 salt
    ) external view returns (address) {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            IMPLEMENTATION,
            EditionArgs.encode(author, params),
            _boundSalt(author, salt)
        );
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
        bytes memory tail = abi.encode(
            params.limit,
            params.fundingRecipient,
            params.royaltyBps,
            params.feeBps,
            salt,
            deadline
        );
        return _hashTypedDataV4(keccak256(bytes.concat(head, tail)));
    }

    function _create(
        address author,
        EditionParams calldata params,
        bytes32 salt,
        bytes memory args
    ) private returns (address edition) {
        uint256 currentFee = feeBps;
        if (params.feeBps != currentFee) revert FeeMismatch(currentFee, params.feeBps);
        if (params.royaltyBps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(params.royaltyBps);
        if (params.fundingRecipient == address(0)) revert ZeroAddress();
        edition = Clones.cloneDeterministicWithImmutableArgs(IMPLEMENTATION, args, _boundSalt(author, salt));
        emit EditionCreated(edition, author, params.contentId, params, salt);
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
        emit FeeChanged(newFeeBps, newFeeRecipient);
    }

    function _boundSalt(address author, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(author, salt));
    }
}
