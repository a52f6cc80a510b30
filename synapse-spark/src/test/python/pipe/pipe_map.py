"""RDD.pipe() side of the Spark benchmark: reads "id,x" lines, writes "id,y" with y = x * 2 + 1."""
import sys


def main():
    write = sys.stdout.write
    for line in sys.stdin:
        row_id, x = line.split(",")
        write("%s,%r\n" % (row_id, float(x) * 2 + 1))


if __name__ == "__main__":
    main()
