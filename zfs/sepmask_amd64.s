#include "textflag.h"

// func sepMasks(b []byte, masks []uint64)
//
// For each whole 64-byte chunk i of b, masks[i] gets bit k set when byte k of
// the chunk is a tab or a newline. SSE2 only, which every amd64 has: two byte
// compares and a move-mask per 16 bytes.
TEXT ·sepMasks(SB), NOSPLIT, $0-48
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ masks_base+24(FP), DI
	SHRQ $6, CX
	MOVQ $0x0909090909090909, AX
	MOVQ AX, X14
	PUNPCKLQDQ X14, X14
	MOVQ $0x0a0a0a0a0a0a0a0a, AX
	MOVQ AX, X13
	PUNPCKLQDQ X13, X13
loop:
	TESTQ CX, CX
	JZ done
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVO X0, X4
	MOVO X1, X5
	MOVO X2, X6
	MOVO X3, X7
	PCMPEQB X14, X0
	PCMPEQB X13, X4
	PCMPEQB X14, X1
	PCMPEQB X13, X5
	PCMPEQB X14, X2
	PCMPEQB X13, X6
	PCMPEQB X14, X3
	PCMPEQB X13, X7
	POR X4, X0
	POR X5, X1
	POR X6, X2
	POR X7, X3
	PMOVMSKB X0, AX
	PMOVMSKB X1, BX
	PMOVMSKB X2, DX
	PMOVMSKB X3, R8
	SHLQ $16, BX
	ORQ BX, AX
	SHLQ $32, DX
	ORQ DX, AX
	SHLQ $48, R8
	ORQ R8, AX
	MOVQ AX, (DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JMP loop
done:
	RET
