// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @title EditionERC721
/// @author Permanent Press
/// @notice A complete ERC-721 (with the Metadata extension) for editions that only ever mint the next
///         ids and never burn. Same interfaces, errors (ERC-6093) and receiver check as OpenZeppelin's
///         ERC721; the difference is the mint path, which writes each slot once and reads none of its
///         own, and mints a run of consecutive ids with one owner record (batch ownership, as ERC721A).
/// @dev Name, symbol and token URIs come from the inheriting contract. Ownership: a minted token whose
///      owner slot is empty belongs to the owner of the nearest lower id that has one; a run's first
///      id always has one, so the scan stays inside the run. A transfer out of a run writes the next
///      id's owner first, so the rest of the run keeps its owner.
abstract contract EditionERC721 is IERC721Metadata, IERC721Errors {
    /// @dev Owner per token as a full word (address in the low 160 bits): writing a full word needs no
    ///      read of the slot first, where a narrower `address` value costs a read-modify-write.
    mapping(uint256 tokenId => uint256 owner) internal _owners;
    mapping(address owner => uint256 balance) internal _balances;
    mapping(uint256 tokenId => address approved) private _tokenApprovals;
    mapping(address owner => mapping(address operator => bool approved)) private _operatorApprovals;

    /// @notice Number of tokens `owner` holds.
    /// @param owner The holder; the zero address is rejected.
    /// @return The balance.
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return _balances[owner];
    }

    /// @notice Owner of an existing token.
    /// @param tokenId The token.
    /// @return The owner.
    function ownerOf(uint256 tokenId) external view returns (address) {
        return _requireOwned(tokenId);
    }

    /// @notice Lets `to` transfer `tokenId`; by its owner or one of the owner's operators.
    /// @param to The approved address (zero clears the approval).
    /// @param tokenId The token.
    function approve(address to, uint256 tokenId) external {
        address owner = _requireOwned(tokenId);
        if (msg.sender != owner && !_operatorApprovals[owner][msg.sender]) revert ERC721InvalidApprover(msg.sender);
        _tokenApprovals[tokenId] = to;
        emit Approval(owner, to, tokenId);
    }

    /// @notice Lets `operator` transfer all of the caller's tokens, or stops it.
    /// @param operator The operator; the zero address is rejected.
    /// @param approved Whether it is allowed.
    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert ERC721InvalidOperator(address(0));
        _operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @notice Transfers `tokenId` and, if `to` is a contract, requires it to accept the token.
    /// @param from The current owner.
    /// @param to The recipient.
    /// @param tokenId The token.
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    /// @notice The approved address of an existing token.
    /// @param tokenId The token.
    /// @return The approved address, or zero.
    function getApproved(uint256 tokenId) external view returns (address) {
        _requireOwned(tokenId);
        return _tokenApprovals[tokenId];
    }

    /// @notice Whether `operator` may transfer all of `owner`'s tokens.
    /// @param owner The holder.
    /// @param operator The operator.
    /// @return True if approved.
    function isApprovedForAll(address owner, address operator) public view returns (bool) {
        return _operatorApprovals[owner][operator];
    }

    /// @notice Transfers `tokenId` without asking a contract recipient; the caller must be the owner,
    ///         the token's approved address or an operator of the owner.
    /// @param from The current owner.
    /// @param to The recipient; the zero address is rejected (tokens are never burned).
    /// @param tokenId The token.
    function transferFrom(address from, address to, uint256 tokenId) public {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        address owner = _requireOwned(tokenId);
        if (owner != from) revert ERC721IncorrectOwner(from, tokenId, owner);
        if (msg.sender != owner && _tokenApprovals[tokenId] != msg.sender && !_operatorApprovals[owner][msg.sender]) {
            revert ERC721InsufficientApproval(msg.sender, tokenId);
        }
        delete _tokenApprovals[tokenId];
        // The next id may be part of this token's run and rely on this slot: give it its own record.
        unchecked {
            uint256 next = tokenId + 1;
            if (next <= _totalMinted() && _owners[next] == 0) _owners[next] = uint160(owner);
        }
        // A balance counts tokens, so it is at least 1 for `from` and cannot reach 2**256 for `to`.
        unchecked {
            --_balances[from];
            ++_balances[to];
        }
        _owners[tokenId] = uint160(to);
        emit Transfer(from, to, tokenId);
    }

    /// @notice Like {transferFrom}, then requires a contract `to` to accept the token with `data`.
    /// @param from The current owner.
    /// @param to The recipient.
    /// @param tokenId The token.
    /// @param data Passed to `onERC721Received`.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        ERC721Utils.checkOnERC721Received(msg.sender, from, to, tokenId, data);
    }

    /// @notice ERC-165: ERC-721, ERC-721 Metadata and ERC-165.
    /// @param interfaceId The interface id.
    /// @return Whether it is supported.
    function supportsInterface(bytes4 interfaceId) public view virtual returns (bool) {
        return
            interfaceId == type(IERC721).interfaceId ||
            interfaceId == type(IERC721Metadata).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    /// @dev Mints ids `firstId` to `firstId + quantity - 1` to `to`. The caller guarantees none was ever
    ///      minted and that they follow the highest minted id (editions mint consecutive ids from a
    ///      counter), which is what lets this skip reading owner slots. Same effect as, for each id,
    ///      `++_balances[to]; _owners[id] = uint160(to); emit Transfer(0, to, id)`, except that only the
    ///      first id gets an owner record: each slot is hashed once and written once, and each further
    ///      copy costs its `Transfer` event. Slots follow Solidity's mapping layout, so the getters read
    ///      them. `note`, if any, is the first `Transfer` log's data, as its raw UTF-8 bytes: every
    ///      parameter of `Transfer` is indexed, so ERC-721 decoders read the log as usual and ignore it.
    function _mint(address to, uint256 firstId, uint256 quantity, string calldata note) internal {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        bytes32 topic = Transfer.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, to)
            mstore(0x20, _balances.slot)
            let balanceSlot := keccak256(0x00, 0x40)
            // A balance counts tokens: it cannot reach 2**256.
            sstore(balanceSlot, add(sload(balanceSlot), quantity))
            mstore(0x00, firstId)
            mstore(0x20, _owners.slot)
            sstore(keccak256(0x00, 0x40), to)
            let ptr := mload(0x40)
            calldatacopy(ptr, note.offset, note.length)
            log4(ptr, note.length, topic, 0, to, firstId)
            let end := add(firstId, quantity)
            for {
                let id := add(firstId, 1)
            } lt(id, end) {
                id := add(id, 1)
            } {
                log4(0, 0, topic, 0, to, id)
            }
        }
    }

    /// @dev How many ids have been minted; ids run from 1 to this number.
    function _totalMinted() internal view virtual returns (uint256);

    /// @dev The owner of `tokenId`; reverts if it was never minted.
    function _requireOwned(uint256 tokenId) internal view returns (address owner) {
        if (tokenId == 0 || tokenId > _totalMinted()) revert ERC721NonexistentToken(tokenId);
        // Minted ids are never burned and every run starts with an owner record, so the scan ends by
        // id 1; a count with no record below it (the implementation's sealed state) names no owner.
        unchecked {
            uint256 id = tokenId;
            uint256 record = _owners[id];
            while (record == 0) {
                if (id == 1) revert ERC721NonexistentToken(tokenId);
                record = _owners[--id];
            }
            owner = address(uint160(record));
        }
    }
}
