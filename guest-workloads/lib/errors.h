/* The few error numbers the library returns (negated), Linux's values. */
#ifndef GUEST_ERRORS_H
#define GUEST_ERRORS_H
#define ENOENT	  2
#define EIO	  5
#define ENOMEM	  12
#define EBUSY	  16
#define ENODEV	  19
#define EINVAL	  22
#define ENOSPC	  28
#define ERANGE	  34
#define ETIMEDOUT 110
#endif
